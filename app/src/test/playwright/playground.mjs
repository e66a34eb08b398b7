// Drives the bertj playground in headless Chromium: fills a mask and answers a question, compares what the page
// shows with what the API answers, and saves a screenshot of each. Usage:
//   node playground.mjs BASE_URL OUT_DIR FILL_MASK_MODEL QA_MODEL
// Prints one JSON line with what it saw; exits 1 with a message if anything is off.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, outDir, fillMaskModel, qaModel] = process.argv.slice(2);
if (!base || !outDir || !fillMaskModel || !qaModel) {
  console.error('usage: node playground.mjs BASE_URL OUT_DIR FILL_MASK_MODEL QA_MODEL');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bertj-chromium-'));

async function api(p, body) {
  const res = await fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

function fail(message) {
  throw new Error(message);
}

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
  viewport: { width: 1200, height: 800 },
});
const seen = {};
try {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  seen.title = await page.title();

  // Fill-mask on the first model.
  const text = 'The capital of France is [MASK].';
  await page.selectOption('#model', fillMaskModel);
  await page.click('#tab-fill-mask');
  await page.fill('#fill-mask-input', text);
  await page.fill('#fill-mask-top-k', '5');
  await page.click('#fill-mask-run');
  await page.waitForSelector('#fill-mask-result[data-state]', { timeout: 120000 });
  if (await page.getAttribute('#fill-mask-result', 'data-state') !== 'done') {
    fail('fill-mask failed in the page: ' + await page.textContent('#fill-mask-result'));
  }
  seen.fillMask = await page.$$eval('#fill-mask-result .token-str', (cells) => cells.map((c) => c.textContent));
  const expected = (await api('/v1/fill-mask', { inputs: text, top_k: 5, model: fillMaskModel })).map((p) => p.token_str);
  if (JSON.stringify(seen.fillMask) !== JSON.stringify(expected)) {
    fail(`the page shows ${JSON.stringify(seen.fillMask)}, the API answers ${JSON.stringify(expected)}`);
  }
  await page.screenshot({ path: path.join(outDir, 'fill-mask.png'), fullPage: true });

  // Question answering on the second model.
  const question = 'Where do I live?';
  const ctx = 'My name is Wolfgang and I live in Berlin.';
  await page.selectOption('#model', qaModel);
  await page.click('#tab-question-answering');
  await page.fill('#qa-question', question);
  await page.fill('#qa-context', ctx);
  await page.click('#qa-run');
  await page.waitForSelector('#qa-result[data-state]', { timeout: 120000 });
  if (await page.getAttribute('#qa-result', 'data-state') !== 'done') {
    fail('question answering failed in the page: ' + await page.textContent('#qa-result'));
  }
  seen.qaAnswer = await page.textContent('#qa-result .qa-answer');
  seen.qaMarked = await page.$eval('#qa-result .qa-context', (p) => (p.querySelector('mark') || {}).textContent || '');
  const answer = await api('/v1/question-answering', { question, context: ctx, model: qaModel });
  if (seen.qaAnswer !== answer.answer) fail(`the page shows answer '${seen.qaAnswer}', the API '${answer.answer}'`);
  if (answer.answer && seen.qaMarked !== answer.answer) fail(`the page marks '${seen.qaMarked}' in the context`);
  if (ctx.slice(answer.start, answer.end) !== answer.answer) fail('the answer is not the context span start..end');
  await page.screenshot({ path: path.join(outDir, 'question-answering.png'), fullPage: true });

  if (consoleErrors.length) fail('page errors: ' + consoleErrors.join('; '));
  console.log(JSON.stringify(seen));
} catch (e) {
  console.error(e.message || String(e));
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
