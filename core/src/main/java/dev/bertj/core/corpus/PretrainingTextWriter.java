package dev.bertj.core.corpus;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes documents in Google's pre-training text format, the input of {@code create_pretraining_data.py} and of
 * {@link dev.bertj.core.pretrain.data.PretrainingDataGenerator}: one sentence per line, a blank line between
 * documents, UTF-8. Sentences come from a {@link SentenceSplitter}. The file appears under its name only when
 * {@link #close()} succeeds (written to a temporary file beside it, then renamed).
 */
public final class PretrainingTextWriter implements Closeable {

    private final Path target;
    private final Path temporary;
    private final Writer out;
    private final SentenceSplitter splitter;
    private long documents;
    private long sentences;
    private long words;

    public PretrainingTextWriter(Path target, SentenceSplitter splitter) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.target = target;
        this.temporary = target.resolveSibling(target.getFileName() + ".tmp");
        this.out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(temporary),
                StandardCharsets.UTF_8), 1 << 16);
        this.splitter = splitter;
    }

    /** Writes a document; returns false (writing nothing) when it has no sentences. */
    public boolean write(CorpusDocument document) throws IOException {
        boolean first = true;
        for (String paragraph : document.paragraphs()) {
            List<String> split = splitter.split(paragraph);
            for (String sentence : split) {
                if (first) {
                    if (documents > 0) {
                        out.write('\n'); // the blank line between documents
                    }
                    first = false;
                }
                out.write(sentence);
                out.write('\n');
                sentences++;
                words += countWords(sentence);
            }
        }
        if (!first) {
            documents++;
        }
        return !first;
    }

    private static long countWords(String sentence) {
        long n = 0;
        boolean inWord = false;
        for (int i = 0; i < sentence.length(); i++) {
            boolean space = Character.isWhitespace(sentence.charAt(i));
            if (!space && !inWord) {
                n++;
            }
            inWord = !space;
        }
        return n;
    }

    public long documents() {
        return documents;
    }

    public long sentences() {
        return sentences;
    }

    /** Whitespace-separated words written. */
    public long words() {
        return words;
    }

    public Path path() {
        return target;
    }

    @Override
    public void close() throws IOException {
        out.close();
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
