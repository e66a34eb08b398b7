package dev.bertj.heads.classification;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TSV, CSV and JSON-lines readers: columns, quoting, headers and clear errors. */
class ClassificationDataTest {

    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void sst2TsvReadsWithTheDefaults() throws Exception {
        // The first lines of GLUE's SST-2 train.tsv (trailing spaces included).
        Path p = file("train.tsv", "sentence\tlabel\nhide new secretions from the parental units \t0\n"
                + "contains no wit , only labored gags \t0\nthat loves its characters \t1\n");
        List<ClassificationExample> ex = ClassificationData.read(p, Map.of(), false);
        assertThat(ex).hasSize(3);
        assertThat(ex.get(0).text()).isEqualTo("hide new secretions from the parental units ");
        assertThat(ex.get(0).textPair()).isNull();
        assertThat(ex).extracting(ClassificationExample::label).containsExactly("0", "0", "1");
        assertThat(Labels.discover(ex)).containsExactly("0", "1");
    }

    @Test
    void tsvHasNoQuoting() throws Exception {
        Path p = file("q.tsv", "text\tlabel\n\"quoted\" words, and \"more\tpos\n");
        assertThat(ClassificationData.read(p, Map.of(), false).get(0).text()).isEqualTo("\"quoted\" words, and \"more");
    }

    @Test
    void csvFollowsRfc4180() throws Exception {
        Path p = file("d.csv", "id,text,label\r\n"
                + "1,\"Hello, world\",pos\r\n"
                + "2,\"She said \"\"no\"\"\",neg\r\n"
                + "3,\"two\r\nlines\",pos\r\n"
                + "4,plain \"inner\" quote,neg\n"
                + "5,,neg");
        List<ClassificationExample> ex = ClassificationData.read(p, Map.of(), false);
        assertThat(ex).extracting(ClassificationExample::text)
                .containsExactly("Hello, world", "She said \"no\"", "two\r\nlines", "plain \"inner\" quote", "");
        assertThat(ex).extracting(ClassificationExample::label).containsExactly("pos", "neg", "pos", "neg", "neg");
    }

    @Test
    void unterminatedCsvQuoteNamesItsLine() throws Exception {
        Path p = file("bad.csv", "text,label\nfine,pos\n\"never closed,neg\nmore,pos\n");
        assertThatThrownBy(() -> ClassificationData.read(p, Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.csv:3")
                .hasMessageContaining("not closed");
    }

    @Test
    void pairsAreFoundByColumnName() throws Exception {
        Path p = file("pairs.tsv", "sentence1\tsentence2\tlabel\nthe sky\tis blue\tyes\n");
        ClassificationExample e = ClassificationData.read(p, Map.of(), false).get(0);
        assertThat(e.text()).isEqualTo("the sky");
        assertThat(e.textPair()).isEqualTo("is blue");
        Path named = file("named.csv", "premise,hypothesis,gold\na,b,c\n");
        ClassificationExample n = ClassificationData.read(named, Map.of("text_column", "premise",
                "text_pair_column", "hypothesis", "label_column", "gold"), false).get(0);
        assertThat(n).isEqualTo(ClassificationExample.pair("a", "b", "c"));
    }

    @Test
    void withoutHeaderColumnsAreIndicesAndTheLabelIsLast() throws Exception {
        Path p = file("nohead.tsv", "good movie\tpos\nbad film\tneg\n");
        List<ClassificationExample> ex = ClassificationData.read(p, Map.of("header", "false"), false);
        assertThat(ex).containsExactly(ClassificationExample.of("good movie", "pos"), ClassificationExample.of("bad film", "neg"));
        Path three = file("three.tsv", "x\ta\tb\tl1\n");
        ClassificationExample e = ClassificationData.read(three, Map.of("header", "false", "text_column", "1",
                "text_pair_column", "2"), false).get(0);
        assertThat(e).isEqualTo(ClassificationExample.pair("a", "b", "l1"));
    }

    @Test
    void missingColumnsAreClearErrors() throws Exception {
        Path p = file("reviews.tsv", "review\tscore\ngreat\t5\n");
        assertThatThrownBy(() -> ClassificationData.read(p, Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no text/sentence/sentence1/question column")
                .hasMessageContaining("[review, score]").hasMessageContaining("text_column");
        assertThatThrownBy(() -> ClassificationData.read(p, Map.of("text_column", "review"), false))
                .hasMessageContaining("no label column").hasMessageContaining("label_column");
        assertThatThrownBy(() -> ClassificationData.read(p, Map.of("text_column", "body", "label_column", "score"), false))
                .hasMessageContaining("text_column 'body' is not a column");
        assertThat(ClassificationData.read(p, Map.of("text_column", "review", "label_column", "score"), false).get(0))
                .isEqualTo(ClassificationExample.of("great", "5"));
    }

    @Test
    void shortRowsAndEmptyLabelsNameTheirLine() throws Exception {
        Path short1 = file("short.tsv", "sentence\tlabel\nok\t1\nno label here\n");
        assertThatThrownBy(() -> ClassificationData.read(short1, Map.of(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("short.tsv:3")
                .hasMessageContaining("label column");
        Path empty = file("empty.tsv", "sentence\tlabel\nok\t \n");
        assertThatThrownBy(() -> ClassificationData.read(empty, Map.of(), false))
                .hasMessageContaining("empty.tsv:2: empty label");
    }

    @Test
    void byteOrderMarkIsNotPartOfTheFirstColumnName() throws Exception {
        Path p = file("bom.csv", "\uFEFFtext,label\nhi,pos\n");
        assertThat(ClassificationData.read(p, Map.of(), false).get(0).text()).isEqualTo("hi");
    }

    @Test
    void jsonLinesWithScalarAndArrayLabels() throws Exception {
        Path p = file("d.jsonl", "{\"text\": \"good film\", \"label\": 1}\n\n{\"sentence\": \"bad\", \"label\": \"0\"}\n");
        List<ClassificationExample> ex = ClassificationData.read(p, Map.of(), false);
        assertThat(ex).containsExactly(ClassificationExample.of("good film", "1"), ClassificationExample.of("bad", "0"));

        Path multi = file("m.jsonl", "{\"text\": \"red sky\", \"labels\": [\"red\", \"sky\"]}\n{\"text\": \"nothing\", \"labels\": []}\n");
        List<ClassificationExample> m = ClassificationData.read(multi, Map.of("label_column", "labels"), true);
        assertThat(m.get(0).labels()).containsExactly("red", "sky");
        assertThat(m.get(1).labels()).isEmpty();
        assertThatThrownBy(() -> ClassificationData.read(multi, Map.of("label_column", "labels"), false))
                .hasMessageContaining("m.jsonl:1").hasMessageContaining("single-label");
    }

    @Test
    void jsonLinesErrorsNameTheLineAndTheFields() throws Exception {
        Path p = file("e.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"body\": \"b\", \"label\": 0}\n");
        assertThatThrownBy(() -> ClassificationData.read(p, Map.of(), false))
                .hasMessageContaining("e.jsonl:2").hasMessageContaining("[body, label]");
        Path bad = file("bad.jsonl", "{\"text\": \"a\", \"label\": 1\n");
        assertThatThrownBy(() -> ClassificationData.read(bad, Map.of(), false))
                .hasMessageContaining("bad.jsonl:1: not valid JSON");
        Path nolabel = file("nl.jsonl", "{\"text\": \"a\"}\n");
        assertThatThrownBy(() -> ClassificationData.read(nolabel, Map.of(), false))
                .hasMessageContaining("no label field 'label'");
    }

    @Test
    void multiLabelTsvSplitsOnTheSeparator() throws Exception {
        Path p = file("m.tsv", "text\tlabel\nred sky\tred, sky\nsea\t\ngrass\tgreen|grass\n");
        List<ClassificationExample> ex = ClassificationData.read(p, Map.of(), true);
        assertThat(ex.get(0).labels()).containsExactly("red", "sky");
        assertThat(ex.get(1).labels()).isEmpty();
        assertThat(ex.get(2).labels()).containsExactly("green|grass");
        assertThat(ClassificationData.read(p, Map.of("label_separator", "|"), true).get(2).labels())
                .containsExactly("green", "grass");
    }

    @Test
    void labelsAreDiscoveredSortedAndGivenInOrder() {
        List<ClassificationExample> ex = List.of(ClassificationExample.of("a", "10"), ClassificationExample.of("b", "2"),
                ClassificationExample.of("c", "2"), ClassificationExample.of("d", "-1"));
        assertThat(Labels.discover(ex)).containsExactly("-1", "2", "10");
        assertThat(Labels.discover(List.of(ClassificationExample.of("a", "pos"), ClassificationExample.of("b", "neg"),
                ClassificationExample.of("c", "Neutral")))).containsExactly("Neutral", "neg", "pos");
        assertThat(Labels.parse("neg, pos")).containsExactly("neg", "pos");
        assertThat(Labels.parse("[\"a, b\", \"c\"]")).containsExactly("a, b", "c");
        assertThatThrownBy(() -> Labels.parse("a,a")).hasMessageContaining("twice");
    }

    @Test
    void classWeights() {
        List<String> labels = List.of("a", "b");
        List<ClassificationExample> ex = List.of(ClassificationExample.of("1", "a"), ClassificationExample.of("2", "a"),
                ClassificationExample.of("3", "a"), ClassificationExample.of("4", "b"));
        // n / (k * count): 4 / (2 * 3) and 4 / (2 * 1).
        assertThat(Labels.balanced(ex, labels)).containsExactly(4.0 / 6, 2.0);
        assertThat(Labels.perLabel("class_weights", "1,3", labels, 1)).containsExactly(1.0, 3.0);
        assertThat(Labels.perLabel("class_weights", "b:3", labels, 1)).containsExactly(1.0, 3.0);
        assertThat(Labels.perLabel("thresholds", "0.3", labels, 0.5)).containsExactly(0.3, 0.3);
        assertThatThrownBy(() -> Labels.perLabel("class_weights", "1,2,3", labels, 1)).hasMessageContaining("3 values for 2 labels");
        assertThatThrownBy(() -> Labels.perLabel("class_weights", "c:2", labels, 1)).hasMessageContaining("unknown label 'c'");
        assertThatThrownBy(() -> Labels.balanced(List.of(ClassificationExample.of("1", "a")), labels))
                .hasMessageContaining("'b' has no training examples");
    }
}
