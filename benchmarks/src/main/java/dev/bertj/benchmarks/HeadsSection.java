package dev.bertj.benchmarks;

import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.service.Bertj;
import dev.bertj.heads.classification.ClassificationRequest;
import dev.bertj.heads.mlm.FillMaskRequest;
import dev.bertj.heads.nsp.NextSentenceRequest;
import dev.bertj.heads.qa.QaRequest;
import dev.bertj.heads.translation.TranslationRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Each shipped head answering requests through the Java API ({@code Bertj.predict} / {@code TaskHead.predict}) on
 * bert-base-uncased, one caller, one request at a time: requests/s and latency. A head with no trained weights for
 * this model is measured with a freshly initialised output layer (same cost, meaningless answers), and says so.
 */
final class HeadsSection {

    private HeadsSection() {
    }

    private static final String CONTEXT = "Super Bowl 50 was an American football game to determine the champion of the "
            + "National Football League (NFL) for the 2015 season. The American Football Conference (AFC) champion "
            + "Denver Broncos defeated the National Football Conference (NFC) champion Carolina Panthers 24-10 to earn "
            + "their third Super Bowl title. The game was played on February 7, 2016, at Levi's Stadium in the San "
            + "Francisco Bay Area at Santa Clara, California.";

    static void run(SuiteContext ctx) throws Exception {
        CpuSetup.ensure();
        int warmup = ctx.quick ? 3 : 5;
        int n = ctx.quick ? 10 : 40;
        List<List<String>> rows = new ArrayList<>();
        try (Bertj bert = Bertj.load("bert-base-uncased")) {
            String vocab = bert.modelDir().resolve("vocab.txt").toString();
            record Case(String id, String request, Object body, Map<String, String> freshOptions) {
            }
            List<Case> cases = List.of(
                    new Case("mlm", "fill-mask, 1 mask, top 5: \"The capital of France is [MASK].\"",
                            FillMaskRequest.of("The capital of France is [MASK]."), Map.of()),
                    new Case("nsp", "next sentence, two short sentences", new NextSentenceRequest(
                            "The weather was cold and wet.", "She took her umbrella when she left."), Map.of()),
                    new Case("qa", "question answering, a 70-word SQuAD paragraph", QaRequest.of(
                            "Which team won Super Bowl 50?", CONTEXT), Map.of()),
                    new Case("classification", "classification, one SST-2-style sentence, 2 labels",
                            ClassificationRequest.of("a gripping, beautifully acted film that stays with you."),
                            Map.of("labels", "negative,positive")),
                    new Case("translation", "translation, greedy, up to 16 target tokens, 8-word source",
                            new TranslationRequest("A man is riding a bicycle down the street.", 1, 16),
                            Map.of("target_vocab", vocab)));
            for (Case c : cases) {
                String origin;
                TaskHead<Object, Object, ?> head;
                try {
                    head = bert.heads().head(c.id);
                    origin = "trained (from the model directory or checkpoint)";
                } catch (NoSuchElementException e) {
                    @SuppressWarnings("unchecked")
                    TaskHead<Object, Object, ?> fresh = (TaskHead<Object, Object, ?>) bert.heads().freshHead(c.id,
                            c.freshOptions);
                    head = fresh;
                    origin = "**freshly initialised** (no trained head for bert-base-uncased here)";
                }
                for (int i = 0; i < warmup; i++) {
                    head.predict(c.body);
                }
                double[] ms = new double[n];
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    head.predict(c.body);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                rows.add(List.of(c.id, c.request, origin, String.format(Locale.ROOT, "%.2f", n / seconds),
                        String.format(Locale.ROOT, "%.0f", Stats.median(ms)),
                        String.format(Locale.ROOT, "%.0f", Stats.percentile(ms, 95))));
                ctx.summary("head `" + c.id + "` on bert-base-uncased, requests/s, 1 caller",
                        String.format(Locale.ROOT, "%.2f", n / seconds), "-", "-");
                System.err.printf(Locale.ROOT, "%s: %.2f requests/s%n", c.id, n / seconds);
            }
        }
        ctx.paraf("bert-base-uncased (Google's checkpoint), heads from their plugin jars through `Bertj.heads()`; one "
                + "caller sends one request at a time (%d warm-up requests, then %d timed); the encoder uses %d threads. "
                + "A fresh head costs what a trained one does (same shapes), so its speed is representative even "
                + "though its answers are not.", warmup, n, BenchSuite.THREADS);
        ctx.para(Report.table(List.of("head", "request", "weights", "requests/s", "median ms", "p95 ms"), rows));
    }
}
