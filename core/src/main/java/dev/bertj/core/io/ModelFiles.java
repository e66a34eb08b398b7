package dev.bertj.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The files of a model source that is either a directory or a zip/jar (e.g. a Maven artifact carrying a model as
 * resources): find entries by name suffix, read small ones whole.
 */
public final class ModelFiles implements AutoCloseable {

    private final Path root;
    private final ZipFile zip;

    private ModelFiles(Path root, ZipFile zip) {
        this.root = root;
        this.zip = zip;
    }

    public static ModelFiles open(Path path) {
        if (Files.isDirectory(path)) {
            return new ModelFiles(path, null);
        }
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(path + ": no such file or directory");
        }
        try {
            return new ModelFiles(path, new ZipFile(path.toFile()));
        } catch (IOException e) {
            throw new CheckpointException(path + ": not a directory and not a readable zip/jar: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public boolean isArchive() {
        return zip != null;
    }

    public ZipFile zip() {
        return zip;
    }

    /** Entry names (relative paths with '/') ending with {@code suffix}, shortest first. */
    public List<String> find(String suffix) {
        List<String> out = new ArrayList<>();
        if (zip != null) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                if (!z.isDirectory() && z.getName().endsWith(suffix)) {
                    out.add(z.getName());
                }
            }
        } else {
            try (Stream<Path> s = Files.walk(root, 3)) {
                s.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .filter(n -> n.endsWith(suffix))
                        .forEach(out::add);
            } catch (IOException e) {
                throw new CheckpointException(root + ": cannot list: " + e.getMessage(), e);
            }
        }
        out.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        return out;
    }

    public Optional<String> findFirst(String... suffixes) {
        for (String s : suffixes) {
            List<String> found = find(s);
            if (!found.isEmpty()) {
                return Optional.of(found.get(0));
            }
        }
        return Optional.empty();
    }

    public long size(String entry) {
        try {
            return zip != null ? zip.getEntry(entry).getSize() : Files.size(root.resolve(entry));
        } catch (IOException e) {
            throw new CheckpointException(describe(entry) + ": " + e.getMessage(), e);
        }
    }

    public InputStream openStream(String entry) {
        try {
            return zip != null ? zip.getInputStream(zip.getEntry(entry)) : Files.newInputStream(root.resolve(entry));
        } catch (IOException | NullPointerException e) {
            throw new CheckpointException(describe(entry) + ": cannot read: " + e, e);
        }
    }

    public byte[] read(String entry) {
        long size = size(entry);
        if (size > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(describe(entry) + ": " + size + " bytes, too large to read whole");
        }
        try (InputStream in = openStream(entry)) {
            byte[] b = in.readAllBytes();
            if (size >= 0 && b.length != size) {
                throw new CheckpointException(describe(entry) + ": truncated: read " + b.length + " of " + size + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new CheckpointException(describe(entry) + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A path for messages: {@code /dir/file} or {@code /x.jar!/entry}. */
    public String describe(String entry) {
        return zip != null ? root + "!/" + entry : root.resolve(entry).toString();
    }

    /** The vocabulary next to a model: {@code vocab.txt}, else a {@code tokenizer.json} (preferring {@code stem}'s). */
    public Optional<Vocabularies.Vocabulary> vocabulary(String stem) {
        Optional<String> txt = findFirst("/vocab.txt").or(() -> find("vocab.txt").stream().findFirst());
        Optional<String> json = find(stem + "-tokenizer.json").stream().findFirst()
                .or(() -> findFirst("tokenizer.json"));
        if (json.isPresent()) {
            Vocabularies.Vocabulary v = Vocabularies.fromTokenizerJson(read(json.get()), describe(json.get()));
            if (txt.isEmpty()) {
                return Optional.of(v);
            }
            return Optional.of(new Vocabularies.Vocabulary(Vocabularies.fromVocabTxt(read(txt.get())), v.doLowerCase()));
        }
        return txt.map(t -> new Vocabularies.Vocabulary(Vocabularies.fromVocabTxt(read(t)), null));
    }

    @Override
    public void close() {
        if (zip != null) {
            try {
                zip.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }
}
