package dev.bertj.app.cli;

import dev.bertj.core.service.Bertj;
import dev.bertj.core.service.Pooling;
import dev.bertj.core.service.RepresentationService;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./bert embed}: sentence vectors for UTF-8 lines from stdin, one JSON object per line. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {
            "Embeds UTF-8 lines from stdin and writes one JSON object per line: {\"embedding\":[...]}.",
            "--pooling cls is the last hidden state of [CLS] (not the pooler); mean averages the token vectors",
            "over the real tokens; pooler is tanh(dense(h_[CLS])). An empty line is an empty text ([CLS] [SEP]).",
            "A line longer than the model's max_position_embeddings stops the run with exit 1 unless --truncate."
        })
public class EmbedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME|DIR",
            description = "a well-known model name (bert-base-uncased, all-minilm-l6-v2, ...) or a model directory")
    String model;

    @Option(names = "--pooling", paramLabel = "cls|mean|pooler", defaultValue = "mean",
            description = "how the sentence vector is made (default: ${DEFAULT-VALUE})")
    String pooling;

    @Option(names = "--normalize", description = "L2-normalise every vector")
    boolean normalize;

    @Option(names = "--truncate", description = "cut lines longer than the model's limit instead of stopping")
    boolean truncate;

    @Option(names = "--max-length", paramLabel = "N",
            description = "the longest input in tokens (default: the model's max_position_embeddings)")
    int maxLength;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "lines per encoder batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--max-line-chars", paramLabel = "N", defaultValue = "16777216",
            description = "longest accepted line, in UTF-16 units (default: ${DEFAULT-VALUE})")
    int maxLineChars;

    @Override
    public Integer call() throws IOException {
        Pooling mode;
        RepresentationService.Options options;
        try {
            mode = Pooling.parse(pooling);
            options = new RepresentationService.Options(batch, maxLength, truncate);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Reader reader = new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        TokenizeCommand.LineReader lines = new TokenizeCommand.LineReader(reader, maxLineChars);
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        try (Bertj bert = Bertj.load(model, options)) {
            if (mode == Pooling.POOLER && !bert.model().hasPooler()) {
                throw new ParameterException(spec.commandLine(), "--pooling pooler: model " + model
                        + " has no pooler (its checkpoint has no pooler.dense weights); use cls or mean");
            }
            List<String> pending = new ArrayList<>(batch);
            long firstLine = 1;
            for (long lineNumber = 1; ; lineNumber++) {
                String line = lines.next();
                if (line != null && lines.tooLong()) {
                    out.flush();
                    System.err.println("bert embed: line " + lineNumber + " is longer than " + maxLineChars
                            + " characters (--max-line-chars); stopping");
                    return 1;
                }
                if (line != null) {
                    pending.add(line);
                }
                if (pending.size() == batch || (line == null && !pending.isEmpty())) {
                    List<float[]> vectors;
                    try {
                        vectors = bert.embed(pending, mode, normalize);
                    } catch (IllegalArgumentException e) {
                        out.flush();
                        System.err.println("bert embed: " + where(bert, pending, firstLine, mode) + e.getMessage());
                        return 1;
                    }
                    for (float[] v : vectors) {
                        writeLine(out, v);
                    }
                    firstLine += pending.size();
                    pending.clear();
                }
                if (line == null) {
                    break;
                }
            }
        } finally {
            out.flush();
        }
        return 0;
    }

    /** Which line of a failed batch is at fault, found by embedding them one by one. */
    private String where(Bertj bert, List<String> pending, long firstLine, Pooling mode) {
        for (int i = 0; i < pending.size(); i++) {
            try {
                bert.embed(pending.get(i), mode, false);
            } catch (IllegalArgumentException e) {
                return "line " + (firstLine + i) + ": ";
            }
        }
        return "";
    }

    static void writeLine(Writer out, float[] v) throws IOException {
        StringBuilder sb = new StringBuilder(16 + v.length * 12);
        sb.append("{\"embedding\":[");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (!Float.isFinite(v[i])) {
                throw new IllegalStateException("non-finite value " + v[i] + " in an embedding");
            }
            sb.append(v[i]);
        }
        sb.append("]}\n");
        out.write(sb.toString());
    }
}
