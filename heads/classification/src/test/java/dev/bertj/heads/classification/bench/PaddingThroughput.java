package dev.bertj.heads.classification.bench;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import dev.bertj.heads.classification.ClassificationData;
import dev.bertj.heads.classification.ClassificationExample;
import dev.bertj.heads.classification.ClassificationRequest;
import dev.bertj.heads.classification.SequenceClassificationHead;
import dev.bertj.heads.classification.SequenceClassificationHeadFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Inference throughput of the classification head with dynamic padding (batches of similar length, each padded to
 * its longest text) against fixed padding to 128 tokens, on SST-2 dev sentences (issue 7, acceptance 4). The
 * classifier is fresh: its cost is nothing beside the encoder's, so the numbers are those of a trained head.
 *
 * <p>Run from the repository root (MODEL: a model directory or a known name such as {@code bert-base-uncased}):
 * <pre>
 * ./mvnw -B -o -q -pl heads/classification -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cls-cp.txt -Dmdep.includeScope=test
 * OPENBLAS_CORETYPE=SkylakeX OMP_WAIT_POLICY=PASSIVE java -Xss4m -XX:+UseParallelGC \
 *     -cp "$(cat /tmp/cls-cp.txt):heads/classification/target/classes:heads/classification/target/test-classes" \
 *     dev.bertj.heads.classification.bench.PaddingThroughput bert-base-uncased DATA/glue_sst2/dev.tsv [N] [BATCH]
 * </pre>
 */
public final class PaddingThroughput {

    private PaddingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PaddingThroughput MODEL SST2_DEV_TSV [SENTENCES] [BATCH]");
            System.exit(2);
        }
        Path dev = Path.of(args[1]);
        int limit = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;

        // A model directory, or a well-known name converted once into the bertj cache (e.g. bert-base-uncased).
        Path dir = ModelRegistry.defaults().resolve(args[0]);
        BertModel model = BertModel.load(dir);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.load(dir);
        HeadHost host = new HeadHost(model, tokenizer, null, List.of(new SequenceClassificationHeadFactory()), 42);
        SequenceClassificationHead head = (SequenceClassificationHead) host.freshHead("classification",
                Map.of("labels", "0,1", "max_seq_len", "128", "predict_batch_size", Integer.toString(batch)));

        List<ClassificationExample> examples = ClassificationData.read(dev, Map.of(), false);
        examples = examples.subList(0, Math.min(limit, examples.size()));
        List<ClassificationRequest> requests = examples.stream().map(e -> ClassificationRequest.of(e.text())).toList();
        long tokens = 0;
        for (ClassificationExample e : examples) {
            tokens += tokenizer.encode(e.text(), null, EncodeOptions.truncate(128)).length();
        }
        System.out.printf(Locale.ROOT, "%d sentences, %d real tokens (mean %.1f), batch %d, %d threads%n",
                requests.size(), tokens, (double) tokens / requests.size(), batch,
                Runtime.getRuntime().availableProcessors());

        head.predictBatch(requests.subList(0, Math.min(batch, requests.size())), 0);
        head.predictBatch(requests.subList(0, Math.min(batch, requests.size())), 128);
        double dynamic = time(head, requests, 0);
        double fixed = time(head, requests, 128);
        System.out.printf(Locale.ROOT, "dynamic padding:  %.2f s, %.1f sentences/s%n", dynamic, requests.size() / dynamic);
        System.out.printf(Locale.ROOT, "fixed 128:        %.2f s, %.1f sentences/s (%d padded tokens)%n", fixed,
                requests.size() / fixed, 128L * requests.size());
        System.out.printf(Locale.ROOT, "speed-up:         %.2fx%n", fixed / dynamic);
        model.close();
    }

    private static double time(SequenceClassificationHead head, List<ClassificationRequest> requests, int padTo) {
        long t0 = System.nanoTime();
        head.predictBatch(requests, padTo);
        return (System.nanoTime() - t0) / 1e9;
    }
}
