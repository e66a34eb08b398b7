package dev.bertj.app.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Tape;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line protocol of {@code ./bert qa} and {@code ./bert classify} on a stand-in head (the app knows heads only
 * through the SPI): requests built as JSON and converted to the head's request type, one result per non-blank line
 * in order, errors in place.
 */
class HeadLinesTest {

    /** A request type like the heads' own: validated in its constructor. */
    record EchoRequest(String text, @JsonProperty("text_pair") String textPair, @JsonProperty("top_k") Integer topK) {
        EchoRequest {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("echo needs a non-empty text");
            }
        }
    }

    record EchoAnswer(String echo, int k) {
    }

    /** Upper-cases texts; a text containing "bad" fails the head (as a tokenizer error would). */
    static final class EchoHead implements TaskHead<EchoRequest, EchoAnswer, Void> {
        final List<Integer> batchSizes = new ArrayList<>();

        @Override
        public HeadDescriptor descriptor() {
            return new HeadDescriptor("echo", "1", "test", EchoRequest.class, EchoAnswer.class);
        }

        @Override
        public EchoAnswer predict(EchoRequest r) {
            if (r.text().contains("bad")) {
                throw new IllegalArgumentException("cannot answer '" + r.text() + "'");
            }
            return new EchoAnswer(r.text().toUpperCase() + (r.textPair() == null ? "" : "|" + r.textPair()),
                    r.topK() == null ? 1 : r.topK());
        }

        @Override
        public List<EchoAnswer> predictBatch(List<EchoRequest> requests) {
            batchSizes.add(requests.size());
            return requests.stream().map(this::predict).toList();
        }

        @Override
        public List<Parameter> parameters() {
            return List.of();
        }

        @Override
        public ObjectNode config() {
            return HeadLines.JSON.createObjectNode();
        }

        @Override
        public List<Void> readExamples(Path file, Map<String, String> options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HeadBatch<Void> encode(List<Void> examples, int maxLength) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<Void> batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Double> evaluate(List<Void> examples) {
            throw new UnsupportedOperationException();
        }
    }

    private static List<String> run(EchoHead head, String input, HeadLines.RequestReader reader, int batch,
                                    int expectedFailures) throws Exception {
        StringWriter sw = new StringWriter();
        int failed = HeadLines.answer(head, new BufferedReader(new StringReader(input)), new PrintWriter(sw), reader, batch);
        assertThat(failed).isEqualTo(expectedFailures);
        return sw.toString().lines().toList();
    }

    @Test
    void classifyLinesAreTextsOrTabSeparatedPairs() throws Exception {
        ClassifyCommand cmd = new ClassifyCommand();
        cmd.topK = 2;
        EchoHead head = new EchoHead();
        List<String> out = run(head, "good film\n\nthe sky\tis blue\nbad one\nx\ty\tz\n", cmd::request, 32, 2);
        assertThat(out).containsExactly(
                "{\"echo\":\"GOOD FILM\",\"k\":2}",
                "{\"echo\":\"THE SKY|is blue\",\"k\":2}",
                "{\"error\":\"cannot answer 'bad one'\"}",
                "{\"error\":\"more than one tab: a pair is TEXT<TAB>TEXT_PAIR\"}");
    }

    @Test
    void qaLinesAreJsonObjectsWithCommandLineDefaults() throws Exception {
        QaCommand cmd = new QaCommand();
        cmd.topK = 3;
        EchoHead head = new EchoHead();
        String input = "{\"text\": \"what\"}\n{\"text\": \"who\", \"top_k\": 1}\nnot json\n[1, 2]\n{\"text\": \"\"}\n";
        List<String> out = run(head, input, cmd::request, 16, 3);
        assertThat(out).hasSize(5);
        assertThat(out.get(0)).isEqualTo("{\"echo\":\"WHAT\",\"k\":3}");
        assertThat(out.get(1)).isEqualTo("{\"echo\":\"WHO\",\"k\":1}");
        assertThat(out.get(2)).startsWith("{\"error\":\"Unrecognized token 'not'");
        assertThat(out.get(3)).isEqualTo("{\"error\":\"expected a JSON object {\\\"question\\\": ..., \\\"context\\\": ...}\"}");
        assertThat(out.get(4)).isEqualTo("{\"error\":\"echo needs a non-empty text\"}");
    }

    @Test
    void waitingInputIsBatched() throws Exception {
        EchoHead head = new EchoHead();
        ClassifyCommand cmd = new ClassifyCommand();
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            in.append("t").append(i).append('\n');
        }
        List<String> out = run(head, in.toString(), cmd::request, 4, 0);
        assertThat(out).hasSize(10);
        assertThat(out.get(9)).isEqualTo("{\"echo\":\"T9\",\"k\":1}");
        assertThat(head.batchSizes).containsExactly(4, 4, 2);
    }

    @Test
    void aMissingModelDirectoryIsAClearError() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(BertCli.run("qa", "--model", "/nonexistent/model")).isEqualTo(1);
            assertThat(BertCli.run("classify", "--model", "/nonexistent/model")).isEqualTo(1);
        } finally {
            System.setErr(oldErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("bert qa: unknown model '/nonexistent/model': not a directory and not a known name")
                .contains("bert classify: unknown model '/nonexistent/model'");
    }
}
