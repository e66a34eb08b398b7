package dev.bertj.heads.translation;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads parallel text in the two layouts translation corpora come in:
 * <ul>
 *   <li>two aligned files, line i of one translating line i of the other: named by the options {@code source} and
 *       {@code target}, or found from a prefix ({@code data/train} with {@code data/train.en} and
 *       {@code data/train.de}, the languages from {@code source_lang}/{@code target_lang});</li>
 *   <li>one TSV file, {@code source<TAB>target} per line.</li>
 * </ul>
 * Lines blank on both sides are skipped; a line blank on one side only, a line count mismatch or a TSV line
 * without two fields is an error naming the file and line.
 */
final class ParallelCorpus {

    private ParallelCorpus() {
    }

    static List<ParallelExample> read(Path file, Map<String, String> options, String sourceLang, String targetLang)
            throws IOException {
        List<ParallelExample> examples;
        String source = options.get("source");
        String target = options.get("target");
        if (source != null || target != null) {
            if (source == null || target == null) {
                throw new IllegalArgumentException("aligned files need both options 'source' and 'target'");
            }
            examples = readAligned(Path.of(source), Path.of(target));
        } else if (file != null && Files.isRegularFile(file)) {
            examples = readTsv(file);
        } else if (file != null && Files.isRegularFile(withSuffix(file, sourceLang))
                && Files.isRegularFile(withSuffix(file, targetLang))) {
            examples = readAligned(withSuffix(file, sourceLang), withSuffix(file, targetLang));
        } else {
            throw new IllegalArgumentException("no parallel data at " + file + ": expected a TSV file (source<TAB>target), "
                    + "a prefix with " + withSuffix(file, sourceLang).getFileName() + " and "
                    + withSuffix(file, targetLang).getFileName() + ", or the options source=PATH target=PATH");
        }
        String limit = options.get("max_examples");
        if (limit != null) {
            int n = Integer.parseInt(limit);
            if (n < 0) {
                throw new IllegalArgumentException("max_examples must be >= 0, got " + n);
            }
            examples = examples.subList(0, Math.min(n, examples.size()));
        }
        return examples;
    }

    static Path withSuffix(Path prefix, String lang) {
        return prefix.resolveSibling(prefix.getFileName() + "." + lang);
    }

    static List<ParallelExample> readAligned(Path sourceFile, Path targetFile) throws IOException {
        List<String> src = lines(sourceFile);
        List<String> tgt = lines(targetFile);
        if (src.size() != tgt.size()) {
            throw new IllegalArgumentException("aligned files differ in length: " + sourceFile + " has " + src.size()
                    + " lines, " + targetFile + " has " + tgt.size());
        }
        List<ParallelExample> out = new ArrayList<>(src.size());
        for (int i = 0; i < src.size(); i++) {
            String s = src.get(i).strip();
            String t = tgt.get(i).strip();
            if (s.isEmpty() && t.isEmpty()) {
                continue;
            }
            if (s.isEmpty() || t.isEmpty()) {
                throw new IllegalArgumentException((s.isEmpty() ? sourceFile : targetFile) + ":" + (i + 1)
                        + ": blank line opposite a non-blank one in " + (s.isEmpty() ? targetFile : sourceFile));
            }
            out.add(new ParallelExample(s, t));
        }
        return out;
    }

    static List<ParallelExample> readTsv(Path file) throws IOException {
        List<ParallelExample> out = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 2) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected source<TAB>target, got "
                        + f.length + " field" + (f.length == 1 ? "" : "s"));
            }
            String s = f[0].strip();
            String t = f[1].strip();
            if (s.isEmpty() || t.isEmpty()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": empty " + (s.isEmpty() ? "source" : "target"));
            }
            out.add(new ParallelExample(s, t));
        }
        return out;
    }

    private static List<String> lines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not valid UTF-8", e);
        }
        return lines;
    }
}
