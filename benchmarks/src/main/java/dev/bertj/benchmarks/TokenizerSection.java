package dev.bertj.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** bertj's WordPiece tokenizer against Hugging Face tokenizers (Rust, through DJL), one thread and batched. */
final class TokenizerSection {

    private TokenizerSection() {
    }

    static void run(SuiteContext ctx) throws Exception {
        int warmup = ctx.quick ? 1 : 3;
        int rounds = ctx.quick ? 3 : 9;
        TokenizerBenchmark.Result r = TokenizerBenchmark.measure(ctx.repo.resolve(TokenizerBenchmark.DEFAULT_TEXT), warmup,
                rounds);
        ctx.paraf("Text: the vendored SQuAD v1.1 dev excerpt (`%s`), %d texts, %,d characters, %,d tokens with "
                + "[CLS]/[SEP]; both tokenizers give identical ids on every text (checked before timing). Vocabulary: "
                + "bert-base-uncased `tokenizer.json`. Peer: `ai.djl.huggingface:tokenizers:0.38.0` (HF tokenizers "
                + "0.21.4). %d warm-up rounds, %d measured rounds, the contenders' order reversed every other round; "
                + "medians. Batched: batches of 256 texts, bertj's `encodeBatch` on a %d-thread pool, HF's batch "
                + "encode on Rayon with RAYON_NUM_THREADS=%s. Standalone program with more detail: "
                + "`TokenizerBenchmark` ([tokenizer.md](../tokenizer.md)).",
                TokenizerBenchmark.DEFAULT_TEXT, r.texts(), r.chars(), r.tokens(), warmup, rounds, 2,
                Machine.env("RAYON_NUM_THREADS"));
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : r.rates().entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            rows.add(List.of(e.getKey(), fmt(Stats.median(v)), fmt(Stats.min(v)), fmt(Stats.max(v))));
        }
        ctx.para(Report.table(List.of("contender", "median tokens/s", "min", "max"), rows));
        double bertj = r.median("bertj encode (1 thread)");
        double hf = r.median("HF ids only (1 thread)");
        double bertjBatch = r.median("bertj encodeBatch (2 threads)");
        double hfBatch = r.median("HF batch ids only (Rayon)");
        ctx.paraf("One thread: bertj %s tokens/s vs HF ids-only %s tokens/s: **%s**. Batched (2 threads each): bertj %s "
                + "vs HF %s: **%s**.", fmt(bertj), fmt(hf), Report.ratio(bertj, hf), fmt(bertjBatch), fmt(hfBatch),
                Report.ratio(bertjBatch, hfBatch));
        ctx.summary("tokenizer, tokens/s, 1 thread", fmt(bertj), "HF tokenizers 0.21.4 (ids only): " + fmt(hf),
                Report.ratio(bertj, hf));
        ctx.summary("tokenizer, tokens/s, batched, 2 threads", fmt(bertjBatch), "HF tokenizers, Rayon 2 threads: "
                + fmt(hfBatch), Report.ratio(bertjBatch, hfBatch));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

}
