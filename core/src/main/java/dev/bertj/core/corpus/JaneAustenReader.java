package dev.bertj.core.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Jane Austen's six novels from the R package janeaustenr (Debian {@code r-cran-janeaustenr}), read from its data
 * lazy-load database with {@link RLazyLoadReader}, one document per chapter.
 *
 * <p>Each novel is a character vector of lines as in the Project Gutenberg text: title lines, then {@code CHAPTER I}
 * or {@code Chapter 1} headings, paragraphs separated by empty lines. A document is a chapter, named after the novel
 * and the heading ({@code Emma, CHAPTER I}); its paragraphs are the runs of non-empty lines, joined by spaces.
 * Dropped: the front matter before the first chapter heading (title, author, dedication), the chapter and
 * {@code VOLUME} headings themselves, and the closing {@code THE END} / {@code FINIS} lines. Novels come in
 * publication order, as janeaustenr's {@code austen_books()} lists them.
 */
public final class JaneAustenReader implements CorpusReader {

    /** janeaustenr's object names and the novels' titles, in publication order. */
    private static final String[][] NOVELS = {
        {"sensesensibility", "Sense & Sensibility"},
        {"prideprejudice", "Pride & Prejudice"},
        {"mansfieldpark", "Mansfield Park"},
        {"emma", "Emma"},
        {"northangerabbey", "Northanger Abbey"},
        {"persuasion", "Persuasion"},
    };

    private static final Pattern CHAPTER = Pattern.compile("\\s*CHAPTER\\s+([0-9]+|[IVXLC]+)\\.?\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern VOLUME = Pattern.compile("\\s*VOLUME\\s+([0-9]+|[IVXLC]+)\\.?\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern THE_END = Pattern.compile("\\s*(THE END|FINIS)\\.?\\s*", Pattern.CASE_INSENSITIVE);

    private final RLazyLoadReader database;
    private final List<String[]> novels = new ArrayList<>();
    private int novelIndex = -1;
    private RLazyLoadReader.StringVectorReader lines;
    private String chapterName;           // null before the first chapter heading of the current novel
    private final Paragraphs paragraphs = new Paragraphs();

    private JaneAustenReader(RLazyLoadReader database) throws CorpusFormatException {
        this.database = database;
        List<String> present = database.variables();
        for (String[] novel : NOVELS) {
            if (present.contains(novel[0])) {
                novels.add(novel);
            }
        }
        if (novels.isEmpty()) {
            throw new CorpusFormatException("the R database holds " + present + ", none of janeaustenr's novels");
        }
    }

    /**
     * Opens janeaustenr's data found at or under {@code path}: its {@code Rdata.rdx}, the {@code data} directory
     * holding it, or any directory above it (such as the directory {@code dpkg-deb -x} extracted the package
     * into).
     */
    public static JaneAustenReader open(Path path) throws IOException {
        return new JaneAustenReader(RLazyLoadReader.open(locateIndex(path)));
    }

    /** The {@code Rdata.rdx} at or under a path. */
    static Path locateIndex(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new CorpusFormatException("no such file or directory: " + path);
        }
        Path direct = path.resolve("Rdata.rdx");
        if (Files.isRegularFile(direct)) {
            return direct;
        }
        try (Stream<Path> walk = Files.walk(path, 10)) {
            List<Path> found = walk.filter(p -> p.getFileName().toString().equals("Rdata.rdx"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
            Optional<Path> austen = found.stream().filter(p -> p.toString().contains("janeaustenr")).findFirst();
            if (austen.isPresent()) {
                return austen.get();
            }
            if (found.size() == 1) {
                return found.get(0);
            }
            throw new CorpusFormatException(found.isEmpty()
                    ? "no Rdata.rdx under " + path + " (extract r-cran-janeaustenr with dpkg-deb -x and pass that"
                            + " directory, or the package's data directory)"
                    : "several Rdata.rdx under " + path + " and none in a janeaustenr directory: " + found);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public CorpusDocument next() throws IOException {
        while (true) {
            if (lines == null || !lines.hasNext()) {
                CorpusDocument last = finishChapter();
                if (!openNextNovel()) {
                    return last;
                }
                if (last != null) {
                    return last;
                }
                continue;
            }
            String line = lines.next();
            if (line == null) {
                continue; // NA: no text
            }
            if (CHAPTER.matcher(line).matches()) {
                CorpusDocument finished = finishChapter();
                chapterName = novels.get(novelIndex)[1] + ", " + line.strip();
                if (finished != null) {
                    return finished;
                }
            } else if (VOLUME.matcher(line).matches() || THE_END.matcher(line).matches()) {
                paragraphs.breakParagraph();
            } else if (line.isBlank()) {
                paragraphs.breakParagraph();
            } else if (chapterName != null) {
                paragraphs.append(line);
                paragraphs.space();
            }
        }
    }

    private CorpusDocument finishChapter() {
        if (chapterName == null) {
            return null;
        }
        List<String> text = paragraphs.take();
        String name = chapterName;
        chapterName = null;
        return text.isEmpty() ? null : new CorpusDocument(name, text);
    }

    private boolean openNextNovel() throws IOException {
        if (lines != null) {
            lines.close();
            lines = null;
        }
        paragraphs.take();
        if (novelIndex + 1 >= novels.size()) {
            novelIndex = novels.size();
            return false;
        }
        novelIndex++;
        lines = database.strings(novels.get(novelIndex)[0]);
        return true;
    }

    @Override
    public void close() throws IOException {
        if (lines != null) {
            lines.close();
            lines = null;
        }
    }
}
