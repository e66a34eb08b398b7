package dev.bertj.core.pretrain.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a UTF-8 text file line by line and knows the byte offset of the next line, so reading can later restart
 * exactly there. Lines end at {@code \n}; a trailing {@code \r} is dropped. Malformed UTF-8 becomes U+FFFD.
 */
final class LineReader implements Closeable {

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private byte[] line = new byte[256];
    private long offset;

    LineReader(Path file, long startOffset) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        long size = channel.size();
        if (startOffset < 0 || startOffset > size) {
            channel.close();
            throw new IOException("offset " + startOffset + " is outside " + file + " (" + size + " bytes)");
        }
        channel.position(startOffset);
        buffer.flip();
        offset = startOffset;
    }

    /** Byte offset of the first byte of the next line. */
    long offset() {
        return offset;
    }

    /** The next line without its terminator, or null at the end of the file. */
    String readLine() throws IOException {
        int length = 0;
        boolean sawAny = false;
        while (true) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int n = channel.read(buffer);
                buffer.flip();
                if (n <= 0) {
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
            }
            sawAny = true;
            byte c = buffer.get();
            offset++;
            if (c == '\n') {
                break;
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, 2 * line.length);
            }
            line[length++] = c;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
