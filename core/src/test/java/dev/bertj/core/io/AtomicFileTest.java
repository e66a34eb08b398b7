package dev.bertj.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("sub/report.txt");
        AtomicFile.writeString(target, "first");
        AtomicFile.writeString(target, "second, longer than the first");
        assertEquals("second, longer than the first", Files.readString(target));
        assertEquals(List.of(target), list(target.getParent()));
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("state.json");
        AtomicFile.writeString(target, "{\"step\":1}");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write("{\"step\":2, \"half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("{\"step\":1}", Files.readString(target));
        assertEquals(List.of(target), list(dir));
    }

    @Test
    void aWriterThatClosesItsStreamStillGetsItsContentForced() throws IOException {
        // Jackson closes the stream it writes to; the channel must outlive that to be forced and renamed.
        Path target = dir.resolve("record.json");
        AtomicFile.write(target, out -> new ObjectMapper().writeValue(out, Map.of("id", "job-1")));
        assertEquals("{\"id\":\"job-1\"}", Files.readString(target));
    }

    @Test
    void theFileIsReadableByOthersLikeAnOrdinaryWrite() throws IOException {
        Path target = dir.resolve("loss.svg");
        AtomicFile.writeString(target, "<svg/>");
        if (target.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        }
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
