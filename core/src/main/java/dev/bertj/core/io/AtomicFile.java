package dev.bertj.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that a reader — or a process killed half-way — only ever sees the old file or the whole new one:
 * the content goes to a temporary file in the target's directory, is forced to disk, and is renamed over the target.
 * On any failure the target is untouched and the temporary file is removed.
 *
 * <p>The temporary name starts with a dot and ends in {@code .tmp}, so directory listings that skip hidden files
 * (checkpoint and model scans) never mistake it for content.
 */
public final class AtomicFile {

    /** Writes a file's content to a channel; positional writes are allowed. */
    @FunctionalInterface
    public interface ChannelBody {
        void writeTo(FileChannel out) throws IOException;
    }

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface StreamBody {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    public static void writeString(Path target, CharSequence text) throws IOException {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    public static void write(Path target, StreamBody body) throws IOException {
        writeChannel(target, channel -> {
            // Writers (Jackson, BufferedWriter) close the stream they were given; that must not close the channel
            // before it is forced, so closing this stream only flushes it.
            OutputStream out = new FilterOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    this.out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            body.writeTo(out);
            out.flush();
        });
    }

    public static void writeChannel(Path target, ChannelBody body) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(out);
                out.force(true);
            }
            readableByAll(tmp);
            move(tmp, file);
            fsyncDirectory(dir);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Renames {@code from} over {@code to}, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename durable; not every platform lets a directory be opened, so this is best effort. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // The data itself was forced before the rename; only the directory entry's durability is at stake.
        }
    }

    /**
     * Temporary files are created owner-only; the finished file gets the permissions {@code Files.write} would have
     * given it under the usual umask, so models, reports and logs are readable by whoever can see the directory.
     */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
