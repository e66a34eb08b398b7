package dev.bertj.heads.qa;

import dev.bertj.core.head.EncoderRunner;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How faithful the windowing and offset mapping are on real SQuAD data, without any model: every question's gold
 * answer is mapped to its training targets (window positions), and the targets are mapped back to characters of the
 * context exactly as predictions are (whole words); scoring those "oracle" answers with the official EM/F1 gives the
 * ceiling the span representation allows (Google's run_squad reports the same kind of check). Also counts windows.
 *
 * <pre>
 * ./mvnw -B -o -q -pl heads/qa -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/qa-cp.txt \
 *     -Dmdep.includeScope=test
 * java -cp "$(cat /tmp/qa-cp.txt):heads/qa/target/classes:heads/qa/target/test-classes" \
 *     dev.bertj.heads.qa.SquadAlignmentCheck bert-base-uncased DATA/squad_v1.1/dev-v1.1.json
 * </pre>
 */
public final class SquadAlignmentCheck {

    private SquadAlignmentCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = ModelRegistry.defaults().resolve(args[0]);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.load(dir);
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        HeadContext context = new HeadContext() {
            @Override
            public BertConfig config() {
                return config;
            }

            @Override
            public WordPieceTokenizer tokenizer() {
                return tokenizer;
            }

            @Override
            public EncoderRunner encoder() {
                throw new UnsupportedOperationException("no encoder in this check");
            }

            @Override
            public Optional<Parameter> encoderParameter(String name) {
                return Optional.empty();
            }

            @Override
            public Path modelDir() {
                return dir;
            }

            @Override
            public Rng rng() {
                return new Rng(1);
            }
        };
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(context, QaSettings.DEFAULT);
        long t0 = System.nanoTime();
        List<SquadExample> questions = SquadReader.read(Path.of(args[1]));
        List<QaFeature> features = head.features(questions);
        double seconds = (System.nanoTime() - t0) / 1e9;

        Map<SquadExample, String> oracle = new IdentityHashMap<>();
        Map<Integer, Integer> windowsPerQuestion = new LinkedHashMap<>();
        Map<SquadExample, Integer> windows = new IdentityHashMap<>();
        int noTarget = 0;
        for (QaFeature f : features) {
            windows.merge(f.example(), 1, Integer::sum);
            if (f.startPosition() < 0) {
                noTarget++;
            }
            if (f.hasAnswer() && !oracle.containsKey(f.example())) {
                QaInput.Window w = f.windowSpec();
                int start = f.input().context.wordStart(w.contextToken(f.startPosition()));
                int end = f.input().context.wordEnd(w.contextToken(f.endPosition()));
                oracle.put(f.example(), f.example().context().substring(start, end));
            }
        }
        windows.values().forEach(n -> windowsPerQuestion.merge(n, 1, Integer::sum));
        Map<String, String> predictions = new LinkedHashMap<>();
        List<SquadExample> inWindow = new ArrayList<>();
        for (SquadExample q : questions) {
            String a = oracle.get(q);
            predictions.put(q.id(), a == null ? "" : a);
            if (a != null) {
                inWindow.add(q);
            }
        }
        System.out.printf(Locale.ROOT, "%d questions -> %d features in %.1f s (%d features without a target)%n",
                questions.size(), features.size(), seconds, noTarget);
        System.out.println("windows per question: " + windowsPerQuestion);
        System.out.println("oracle (gold span -> targets -> whole-word characters): " + SquadMetric.score(questions, predictions));
        int shown = 0;
        for (SquadExample q : questions) {
            String p = predictions.get(q.id());
            if (shown < 8 && q.answerTexts().stream().noneMatch(g -> SquadMetric.exactMatch(p, g))) {
                System.out.println("  e.g. gold " + q.answerTexts().get(0) + " -> " + p);
                shown++;
            }
        }
    }
}
