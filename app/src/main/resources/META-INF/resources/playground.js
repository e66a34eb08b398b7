// The bertj playground: every action is an ordinary call to the service's HTTP API.
'use strict';

const $ = (id) => document.getElementById(id);
let models = [];

function headers() {
  const h = { 'Content-Type': 'application/json' };
  const token = $('token').value.trim();
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
}

async function call(path, body) {
  const res = await fetch(path, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch (e) { data = text; }
  if (!res.ok) {
    const detail = data && data.detail ? data.detail : String(text);
    throw new Error(res.status + ' ' + (data && data.title ? data.title : res.statusText) + ': ' + detail);
  }
  return data;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function bar(score) {
  const w = Math.max(1, Math.round(Math.min(1, Math.max(0, score)) * 200));
  return `<span class="bar" style="width:${w}px"></span> ${score.toFixed(4)}`;
}

function selectedModel() {
  return $('model').value || undefined;
}

function withModel(body) {
  const m = selectedModel();
  if (m) body.model = m;
  return body;
}

async function run(button, output, work) {
  button.disabled = true;
  output.innerHTML = '<span class="note">working...</span>';
  try {
    output.innerHTML = await work();
    output.dataset.state = 'done';
  } catch (e) {
    output.innerHTML = `<div class="problem">${esc(e.message)}</div>`;
    output.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

// ---- tasks ---------------------------------------------------------------------------------------------

function fillMaskTable(predictions) {
  return '<table><tr><th>token</th><th>score</th><th>sequence</th></tr>' + predictions.map((p) =>
    `<tr><td class="token-str">${esc(p.token_str)}</td><td>${bar(p.score)}</td><td>${esc(p.sequence)}</td></tr>`).join('') + '</table>';
}

$('fill-mask-run').onclick = () => run($('fill-mask-run'), $('fill-mask-result'), async () => {
  const topK = parseInt($('fill-mask-top-k').value, 10) || 5;
  const data = await call('/v1/fill-mask', withModel({ inputs: $('fill-mask-input').value, top_k: topK }));
  // One mask: a list of predictions; several masks: a list per mask.
  const perMask = Array.isArray(data[0]) ? data : [data];
  return perMask.map((preds, i) => (perMask.length > 1 ? `<h4>[MASK] ${i + 1}</h4>` : '') + fillMaskTable(preds)).join('');
});

$('nsp-run').onclick = () => run($('nsp-run'), $('nsp-result'), async () => {
  const data = await call('/v1/next-sentence', withModel({ text_a: $('nsp-a').value, text_b: $('nsp-b').value }));
  return `<table><tr><td>is next</td><td>${bar(data.is_next)}</td></tr><tr><td>not next</td><td>${bar(data.not_next)}</td></tr></table>`;
});

$('qa-run').onclick = () => run($('qa-run'), $('qa-result'), async () => {
  const context = $('qa-context').value;
  const topK = parseInt($('qa-top-k').value, 10) || 1;
  const data = await call('/v1/question-answering', withModel({ question: $('qa-question').value, context, top_k: topK }));
  const answers = Array.isArray(data) ? data : [data];
  const best = answers[0];
  const shown = best.end > best.start
    ? esc(context.slice(0, best.start)) + '<mark>' + esc(context.slice(best.start, best.end)) + '</mark>' + esc(context.slice(best.end))
    : esc(context) + ' <span class="note">(no answer)</span>';
  return `<p class="qa-context">${shown}</p><table><tr><th>answer</th><th>score</th><th>start</th><th>end</th></tr>` +
    answers.map((a) => `<tr><td class="qa-answer">${esc(a.answer)}</td><td>${bar(a.score)}</td><td>${a.start}</td><td>${a.end}</td></tr>`).join('') + '</table>';
});

$('cls-run').onclick = () => run($('cls-run'), $('cls-result'), async () => {
  const body = withModel({ inputs: $('cls-input').value });
  if ($('cls-pair').value.trim()) body.text_pair = $('cls-pair').value;
  const topK = parseInt($('cls-top-k').value, 10);
  if (topK) body.top_k = topK;
  const data = await call('/v1/text-classification', body);
  return '<table><tr><th>label</th><th>score</th></tr>' +
    data.map((l) => `<tr><td class="label">${esc(l.label)}</td><td>${bar(l.score)}</td></tr>`).join('') + '</table>';
});

$('tr-run').onclick = () => run($('tr-run'), $('tr-result'), async () => {
  const data = await call('/v1/translation', withModel({
    inputs: $('tr-input').value,
    num_beams: parseInt($('tr-beams').value, 10) || 1,
    max_length: parseInt($('tr-max').value, 10) || 64,
  }));
  return data.map((t) => `<p class="translation">${esc(t.translation_text)}</p>`).join('');
});

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.max(1e-12, Math.sqrt(na) * Math.sqrt(nb));
}

$('embed-run').onclick = () => run($('embed-run'), $('embed-result'), async () => {
  const texts = $('embed-input').value.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  const vectors = await call('/v1/embed', withModel({
    inputs: texts, pooling: $('embed-pooling').value, normalize: $('embed-normalize').checked,
  }));
  let html = `<p>${vectors.length} vectors of ${vectors[0].length} dimensions; first values of the first: ` +
    `<code>${vectors[0].slice(0, 6).map((x) => x.toFixed(4)).join(', ')}, ...</code></p>`;
  if (vectors.length > 1) {
    html += '<table><tr><th></th>' + texts.map((_, j) => `<th>${j + 1}</th>`).join('') + '</tr>' +
      vectors.map((v, i) => `<tr><th title="${esc(texts[i])}">${i + 1}</th>` +
        vectors.map((w) => `<td>${cosine(v, w).toFixed(3)}</td>`).join('') + '</tr>').join('') + '</table>';
  }
  return html;
});

$('head-run').onclick = () => run($('head-run'), $('head-result'), async () => {
  let body;
  try { body = JSON.parse($('head-input').value); } catch (e) { throw new Error('the request is not JSON: ' + e.message); }
  const id = $('head-id').value;
  const m = selectedModel();
  const data = await call('/v1/heads/' + encodeURIComponent(id) + '/predict' + (m ? '?model=' + encodeURIComponent(m) : ''), body);
  return `<pre>${esc(JSON.stringify(data, null, 2))}</pre>`;
});

// ---- models, heads and tabs -----------------------------------------------------------------------------

function showTab(name) {
  document.querySelectorAll('#tabs button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === name)));
  document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.id === 'panel-' + name));
  location.hash = name;
}

document.querySelectorAll('#tabs button').forEach((b) => { b.onclick = () => showTab(b.dataset.tab); });

function markHeads() {
  const m = models.find((x) => x.id === $('model').value);
  const heads = m && m.heads ? m.heads.map((h) => h.id) : [];
  document.querySelectorAll('#tabs button[data-head]').forEach((b) => {
    const missing = !heads.includes(b.dataset.head);
    b.classList.toggle('missing', missing);
    b.title = missing ? 'this model has no ' + b.dataset.head + ' head' : '';
  });
  $('head-id').innerHTML = heads.map((h) => `<option>${esc(h)}</option>`).join('');
  $('model-info').textContent = m ? (m.state === 'ready'
    ? `hidden ${m.hidden_size}, ${m.num_hidden_layers} layers, heads: ${heads.join(', ') || 'none'}`
    : m.state + (m.reason ? ': ' + m.reason : '')) : '';
}

async function loadModels() {
  const res = await fetch('/v1/models', { headers: headers() });
  models = res.ok ? await res.json() : [];
  const current = $('model').value;
  $('model').innerHTML = models.map((m) =>
    `<option value="${esc(m.id)}"${m.default ? ' data-default="true"' : ''}>${esc(m.id)}${m.default ? ' (default)' : ''}${m.state !== 'ready' ? ' - ' + esc(m.state) : ''}</option>`).join('');
  const def = models.find((m) => m.default);
  $('model').value = current && models.some((m) => m.id === current) ? current : (def ? def.id : (models[0] || {}).id || '');
  markHeads();
  if (models.some((m) => m.state === 'loading')) setTimeout(loadModels, 2000);
  document.body.dataset.ready = 'true';
}

$('model').onchange = markHeads;
showTab((location.hash || '#fill-mask').slice(1));
loadModels();
