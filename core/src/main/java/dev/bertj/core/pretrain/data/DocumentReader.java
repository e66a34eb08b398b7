package dev.bertj.core.pretrain.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Google's pre-training text format from a list of files: one sentence per line, blank lines between
 * documents. Each line is stripped and tokenized; lines without tokens are dropped and documents without
 * sentences are skipped, as the reference does. The end of a file also ends a document.
 *
 * <p>Each document remembers where its first line starts, so reading can restart exactly at any document.
 */
final class DocumentReader implements Closeable {

    /** A document's sentences as WordPiece ids, and where its first line starts. */
    record TokenizedDocument(int fileIndex, long startOffset, int[][] sentences, long tokenCount) {
    }

    private final List<Path> files;
    private final WordPieceIds tokenizer;
    private final ArrayDeque<TokenizedDocument> lookahead = new ArrayDeque<>();
    private int fileIndex;
    private LineReader reader;

    DocumentReader(List<Path> files, WordPieceIds tokenizer, int fileIndex, long offset) throws IOException {
        if (fileIndex < 0 || fileIndex >= files.size()) {
            throw new IllegalArgumentException("file index " + fileIndex + " is outside the " + files.size()
                    + " input files");
        }
        this.files = files;
        this.tokenizer = tokenizer;
        this.fileIndex = fileIndex;
        this.reader = new LineReader(files.get(fileIndex), offset);
    }

    /** The next document, or null at the end of the last file. */
    TokenizedDocument next() throws IOException {
        if (!lookahead.isEmpty()) {
            return lookahead.poll();
        }
        return read();
    }

    /** Reads ahead so that up to {@code k} documents are buffered; returns how many of them exist. */
    int available(int k) throws IOException {
        while (lookahead.size() < k) {
            TokenizedDocument d = read();
            if (d == null) {
                break;
            }
            lookahead.add(d);
        }
        return Math.min(k, lookahead.size());
    }

    /** The next document without consuming it, or null at the end. */
    TokenizedDocument peek() throws IOException {
        return available(1) == 0 ? null : lookahead.peek();
    }

    private TokenizedDocument read() throws IOException {
        List<int[]> sentences = new ArrayList<>();
        long tokens = 0;
        int startFile = -1;
        long startOffset = -1;
        while (reader != null) {
            long lineOffset = reader.offset();
            String line = reader.readLine();
            if (line == null) {
                nextFile();
                if (!sentences.isEmpty()) {
                    break;
                }
                startFile = -1;
                continue;
            }
            line = strip(line);
            if (line.isEmpty()) {
                if (!sentences.isEmpty()) {
                    break;
                }
                startFile = -1;
                continue;
            }
            if (startFile < 0) {
                startFile = fileIndex;
                startOffset = lineOffset;
            }
            int[] ids = tokenizer.encode(line);
            if (ids.length > 0) {
                sentences.add(ids);
                tokens += ids.length;
            }
        }
        if (sentences.isEmpty()) {
            return null;
        }
        return new TokenizedDocument(startFile, startOffset, sentences.toArray(new int[0][]), tokens);
    }

    private void nextFile() throws IOException {
        reader.close();
        reader = null;
        fileIndex++;
        if (fileIndex < files.size()) {
            reader = new LineReader(files.get(fileIndex), 0);
        }
    }

    /** Python's str.strip(): also removes Unicode spaces such as U+00A0 that String.strip() keeps. */
    static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
