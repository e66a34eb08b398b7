package dev.bertj.core.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PretrainingTextWriterTest {

    @TempDir
    Path tmp;

    @Test
    void writesOneSentencePerLineAndBlankLinesBetweenDocuments() throws IOException {
        Path out = tmp.resolve("sub/train.txt");
        try (PretrainingTextWriter w = new PretrainingTextWriter(out, new SentenceSplitter())) {
            assertThat(w.write(new CorpusDocument("a", List.of("One two. Three four five!", "Six.")))).isTrue();
            assertThat(w.write(new CorpusDocument("empty", List.of()))).isFalse();
            assertThat(w.write(new CorpusDocument("b", List.of("Seven eight nine ten.")))).isTrue();
            assertThat(Files.exists(out)).as("appears only when closed").isFalse();
            assertThat(w.documents()).isEqualTo(2);
            assertThat(w.sentences()).isEqualTo(4);
            assertThat(w.words()).isEqualTo(10);
        }
        assertThat(Files.readString(out)).isEqualTo("One two.\nThree four five!\nSix.\n\nSeven eight nine ten.\n");
        try (var files = Files.list(out.getParent())) {
            assertThat(files).containsExactly(out);
        }
    }

    @Test
    void holdsOutAnEvenShareOfDocuments() {
        HeldOutSplit split = new HeldOutSplit(0.05);
        assertThat(LongStream.range(0, 100).filter(split::isHeldOut).boxed()).containsExactly(19L, 39L, 59L, 79L,
                99L);
        assertThat(LongStream.range(0, 1647).filter(split::isHeldOut).count()).isEqualTo(82);
        assertThat(LongStream.range(0, 1000).filter(new HeldOutSplit(0)::isHeldOut).count()).isZero();
        assertThat(LongStream.range(0, 1000).filter(new HeldOutSplit(0.5)::isHeldOut).count()).isEqualTo(500);
        assertThatThrownBy(() -> new HeldOutSplit(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
