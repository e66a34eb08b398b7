package dev.bertj.heads.qa;

import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Exact match and F1 as SQuAD's official v1.1 evaluation script computes them: answers are normalised (lowercase,
 * ASCII punctuation removed, the articles a/an/the removed, whitespace collapsed), F1 is over the normalised
 * tokens (a bag of words), each question takes the best score over its gold answers, and the totals are
 * percentages over all questions of the data (a question without a prediction scores 0).
 */
public final class SquadMetric {

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    /** {@code \b(a|an|the)\b} with Python 3's Unicode word boundaries. */
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    private SquadMetric() {
    }

    /** The official {@code normalize_answer}: lower, remove punctuation, remove articles, fix whitespace. */
    public static String normalize(String s) {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                noPunct.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
        return String.join(" ", pythonSplit(noArticles));
    }

    /** Python's {@code str.split()}: runs of Unicode whitespace separate, no empty pieces. */
    static List<String> pythonSplit(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isPythonSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isPythonSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** Python's {@code str.isspace} for one UTF-16 unit (its whitespace characters are all in the BMP). */
    private static boolean isPythonSpace(char c) {
        return Character.isSpaceChar(c) || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f')
                || c == '\u0085';
    }

    public static boolean exactMatch(String prediction, String gold) {
        return normalize(prediction).equals(normalize(gold));
    }

    /** The official token-level F1: overlap of the normalised tokens as multisets; 0 when nothing is shared. */
    public static double f1(String prediction, String gold) {
        List<String> p = pythonSplit(normalize(prediction));
        List<String> g = pythonSplit(normalize(gold));
        Map<String, Integer> goldCounts = new HashMap<>();
        for (String t : g) {
            goldCounts.merge(t, 1, Integer::sum);
        }
        int same = 0;
        for (String t : p) {
            Integer c = goldCounts.get(t);
            if (c != null && c > 0) {
                same++;
                goldCounts.put(t, c - 1);
            }
        }
        if (same == 0) {
            return 0;
        }
        double precision = (double) same / p.size();
        double recall = (double) same / g.size();
        return 2 * precision * recall / (precision + recall);
    }

    /**
     * Scores predictions ({@code qid -> answer}) against the questions: {@code exact_match} and {@code f1} in percent,
     * the number of questions and of predicted ones. A question with no gold answer (SQuAD 2.0's impossible) scores
     * 1 for EM and F1 exactly when the prediction is empty, as the v2.0 script does.
     */
    public static Map<String, Double> score(List<SquadExample> questions, Map<String, String> predictions) {
        double em = 0;
        double f1 = 0;
        int answered = 0;
        for (SquadExample q : questions) {
            String prediction = predictions.get(q.id());
            if (prediction == null) {
                continue;
            }
            answered++;
            double bestEm = 0;
            double bestF1 = 0;
            if (q.answerTexts().isEmpty()) {
                // SQuAD 2.0's rule for a question without an answer: right only when the prediction is empty too.
                bestEm = normalize(prediction).isEmpty() ? 1 : 0;
                bestF1 = bestEm;
            }
            for (String gold : q.answerTexts()) {
                bestEm = Math.max(bestEm, exactMatch(prediction, gold) ? 1 : 0);
                bestF1 = Math.max(bestF1, f1(prediction, gold));
            }
            em += bestEm;
            f1 += bestF1;
        }
        int total = questions.size();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("exact_match", total == 0 ? 0 : 100.0 * em / total);
        m.put("f1", total == 0 ? 0 : 100.0 * f1 / total);
        m.put("questions", (double) total);
        m.put("answered", (double) answered);
        return m;
    }

    /** Writes predictions in the official format, one JSON object {@code {qid: answer}}, atomically. */
    public static void writePredictions(Map<String, String> predictions, Path file) throws IOException {
        AtomicFile.write(file, out -> HeadFiles.json().writeValue(out, new LinkedHashMap<>(predictions)));
    }
}
