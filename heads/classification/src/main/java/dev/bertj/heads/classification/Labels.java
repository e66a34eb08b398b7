package dev.bertj.heads.classification;

import dev.bertj.core.head.HeadFiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Label sets: given as an option, or discovered from training data; and per-label numbers given by label. */
final class Labels {

    private Labels() {
    }

    /** The distinct labels of the examples, sorted: numerically when all are integers, else as strings. */
    static List<String> discover(List<ClassificationExample> examples) {
        TreeSet<String> distinct = new TreeSet<>();
        for (ClassificationExample e : examples) {
            distinct.addAll(e.labels());
        }
        List<String> labels = new ArrayList<>(distinct);
        if (labels.stream().allMatch(l -> l.matches("-?\\d{1,18}"))) {
            labels.sort(Comparator.comparingLong(Long::parseLong));
        }
        return labels;
    }

    /** {@code labels=neg,pos} or a JSON array {@code ["a, b", "c"]} (for labels holding commas). */
    static List<String> parse(String option) {
        List<String> labels = new ArrayList<>();
        String s = option.strip();
        if (s.startsWith("[")) {
            try {
                for (var n : HeadFiles.json().readTree(s)) {
                    labels.add(n.asText());
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("labels: not a JSON array: " + e.getOriginalMessage());
            }
        } else {
            for (String part : s.split(",", -1)) {
                labels.add(part.strip());
            }
        }
        check(labels);
        return labels;
    }

    static void check(List<String> labels) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no labels");
        }
        if (labels.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("an empty label in " + labels);
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("a label appears twice in " + labels);
        }
    }

    /**
     * One number per label from {@code "x"} (every label), {@code "x,y,..."} (in label order) or
     * {@code "label:x,label:y"} (by name; unnamed labels take {@code fallback}).
     */
    static double[] perLabel(String option, String spec, List<String> labels, double fallback) {
        double[] out = new double[labels.size()];
        java.util.Arrays.fill(out, fallback);
        String[] parts = spec.strip().split(",");
        boolean named = spec.contains(":");
        if (!named && parts.length == 1) {
            java.util.Arrays.fill(out, number(option, parts[0]));
            return out;
        }
        if (!named) {
            if (parts.length != labels.size()) {
                throw new IllegalArgumentException(option + ": " + parts.length + " values for " + labels.size()
                        + " labels " + labels);
            }
            for (int i = 0; i < parts.length; i++) {
                out[i] = number(option, parts[i]);
            }
            return out;
        }
        for (String part : parts) {
            int colon = part.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(option + ": '" + part + "' is not label:value");
            }
            String label = part.substring(0, colon).strip();
            int i = labels.indexOf(label);
            if (i < 0) {
                throw new IllegalArgumentException(option + ": unknown label '" + label + "'; the labels are " + labels);
            }
            out[i] = number(option, part.substring(colon + 1));
        }
        return out;
    }

    private static double number(String option, String s) {
        try {
            double v = Double.parseDouble(s.strip());
            if (!Double.isFinite(v) || v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + s.strip() + "' is not a non-negative number");
        }
    }

    /**
     * scikit-learn's "balanced" class weights: {@code n_examples / (n_labels * count(label))}, so that every label
     * weighs as much in the loss as if the data were balanced.
     */
    static double[] balanced(List<ClassificationExample> examples, List<String> labels) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String l : labels) {
            counts.put(l, 0);
        }
        for (ClassificationExample e : examples) {
            counts.merge(e.label(), 1, Integer::sum);
        }
        double[] w = new double[labels.size()];
        for (int i = 0; i < w.length; i++) {
            int c = counts.get(labels.get(i));
            if (c == 0) {
                throw new IllegalArgumentException("class_weights=balanced: label '" + labels.get(i)
                        + "' has no training examples, so its weight is undefined (give the weights explicitly)");
            }
            w[i] = (double) examples.size() / (labels.size() * (double) c);
        }
        return w;
    }
}
