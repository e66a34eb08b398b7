package dev.bertj.app.cli;

import dev.bertj.core.corpus.CorpusDocument;
import dev.bertj.core.corpus.CorpusReader;
import dev.bertj.core.corpus.HeldOutSplit;
import dev.bertj.core.corpus.JaneAustenReader;
import dev.bertj.core.corpus.PretrainingTextWriter;
import dev.bertj.core.corpus.SentenceSplitter;
import dev.bertj.core.corpus.SwordZTextReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ./bert corpus}: turns public-domain corpora installed from Debian into Google's pre-training text format
 * (one sentence per line, blank lines between documents), with an optional held-out split by whole documents.
 */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = {
            "Write corpora in Google's pre-training text format: one sentence per line, a blank line between",
            "documents. Sources: a SWORD zText Bible (apt-get install sword-text-web) and Jane Austen's novels",
            "(apt-get download r-cran-janeaustenr; dpkg-deb -x the .deb into DIR). With both, the Bible comes first.",
            "Held-out documents are chosen evenly: with fraction F, document i is held out when",
            "floor((i+1)F) > floor(iF)."})
public class CorpusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sword", paramLabel = "DIR",
            description = "SWORD zText module directory, or a directory above exactly one module"
                    + " (e.g. /usr/share/sword)")
    Path sword;

    @Option(names = "--sword-documents", paramLabel = "UNIT", defaultValue = "CHAPTER",
            description = "one document per CHAPTER or per BOOK of the Bible (default: ${DEFAULT-VALUE})")
    SwordZTextReader.Unit swordUnit;

    @Option(names = "--sword-exclude-books", paramLabel = "IDS", split = ",",
            description = {"OSIS ids of Bible books to leave out, comma-separated; e.g. DanGr,EsthGr, which in the",
                "World English Bible repeat Daniel and Esther with the Greek additions"})
    Set<String> swordExcludedBooks = new HashSet<>();

    @Option(names = "--janeausten", paramLabel = "DIR",
            description = "janeaustenr's Rdata.rdx, its data directory, or a directory above it;"
                    + " one document per chapter")
    Path janeAusten;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "the training text")
    Path out;

    @Option(names = "--heldout-out", paramLabel = "FILE", description = "the held-out text")
    Path heldOutOut;

    @Option(names = "--heldout-fraction", paramLabel = "F", defaultValue = "0",
            description = "share of documents held out, in [0, 1) (default: ${DEFAULT-VALUE})")
    double heldOutFraction;

    @Override
    public Integer call() throws IOException {
        if (sword == null && janeAusten == null) {
            throw new ParameterException(spec.commandLine(),
                    "give at least one source: --sword DIR or --janeausten DIR");
        }
        if (heldOutFraction < 0 || heldOutFraction >= 1) {
            throw new ParameterException(spec.commandLine(), "--heldout-fraction must be in [0, 1), got "
                    + heldOutFraction);
        }
        if ((heldOutOut != null) != (heldOutFraction > 0)) {
            throw new ParameterException(spec.commandLine(),
                    "--heldout-out and a --heldout-fraction above 0 go together");
        }
        List<CorpusReader> readers = new ArrayList<>();
        try {
            if (sword != null) {
                readers.add(SwordZTextReader.open(sword, swordUnit, swordExcludedBooks));
            }
            if (janeAusten != null) {
                readers.add(JaneAustenReader.open(janeAusten));
            }
            SentenceSplitter splitter = new SentenceSplitter();
            HeldOutSplit split = new HeldOutSplit(heldOutFraction);
            PretrainingTextWriter train = new PretrainingTextWriter(out, splitter);
            PretrainingTextWriter heldOut = heldOutOut == null ? null
                    : new PretrainingTextWriter(heldOutOut, splitter);
            long index = 0;
            for (CorpusReader reader : readers) {
                for (CorpusDocument d = reader.next(); d != null; d = reader.next()) {
                    PretrainingTextWriter target = heldOut != null && split.isHeldOut(index) ? heldOut : train;
                    if (target.write(d)) {
                        index++;
                    }
                }
            }
            train.close();
            if (heldOut != null) {
                heldOut.close();
            }
            PrintWriter w = spec.commandLine().getOut();
            report(w, "training", train);
            if (heldOut != null) {
                report(w, "held-out", heldOut);
            }
            w.flush();
            return 0;
        } finally {
            for (CorpusReader r : readers) {
                r.close();
            }
        }
    }

    private static void report(PrintWriter w, String what, PretrainingTextWriter t) {
        w.printf(Locale.ROOT, "%-8s %,7d documents %,9d sentences %,10d words -> %s%n", what, t.documents(),
                t.sentences(), t.words(), t.path());
    }
}
