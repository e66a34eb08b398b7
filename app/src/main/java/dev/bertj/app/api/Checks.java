package dev.bertj.app.api;

import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;

/**
 * The checks every inference request goes through before any model work: required fields present (400), sizes
 * within the configured limits (413), values in their ranges (422), and text that is valid Unicode (400).
 */
final class Checks {

    private Checks() {
    }

    static <T> T required(String field, T value) {
        if (value == null) {
            throw ProblemException.badRequest("field '" + field + "' is required");
        }
        return value;
    }

    static void body(Object body) {
        if (body == null) {
            throw ProblemException.badRequest("the request needs a JSON object body");
        }
    }

    static Texts texts(String field, Texts texts, ServiceConfig.Limits limits) {
        required(field, texts);
        if (texts.size() == 0) {
            throw ProblemException.unprocessable("field '" + field + "' is an empty list; send at least one text");
        }
        if (texts.size() > limits.maxInputs()) {
            throw ProblemException.tooLarge("field '" + field + "' has " + texts.size() + " texts; at most "
                    + limits.maxInputs() + " per request (bertj.limits.max-inputs)");
        }
        for (int i = 0; i < texts.size(); i++) {
            text(texts.batched() ? field + "[" + i + "]" : field, texts.get(i), limits);
        }
        return texts;
    }

    static String text(String field, String text, ServiceConfig.Limits limits) {
        required(field, text);
        if (text.length() > limits.maxTextChars()) {
            throw ProblemException.tooLarge("field '" + field + "' is " + text.length() + " characters long; at most "
                    + limits.maxTextChars() + " (bertj.limits.max-text-chars)");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw ProblemException.badRequest("field '" + field + "' has an unpaired surrogate at index " + i
                        + "; text must be valid Unicode");
            }
            if (Character.isLowSurrogate(c)) {
                throw ProblemException.badRequest("field '" + field + "' has an unpaired surrogate at index " + i
                        + "; text must be valid Unicode");
            }
        }
        return text;
    }

    /** {@code value} if in {@code [min, max]}, {@code fallback} if absent, else 422. */
    static int range(String field, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw ProblemException.unprocessable("field '" + field + "' must be between " + min + " and " + max
                    + ", got " + value);
        }
        return value;
    }
}
