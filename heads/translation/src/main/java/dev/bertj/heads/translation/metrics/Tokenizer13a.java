package dev.bertj.heads.translation.metrics;

import java.util.regex.Pattern;

/**
 * The tokenizer of mteval-v13a.pl as sacreBLEU implements it ({@code tokenize='13a'}, its default for BLEU):
 * a few language-independent replacements, then spaces around ASCII punctuation and symbols, around a period or
 * comma unless it sits between digits, and after a dash that follows a digit. Hyphens inside words stay, so
 * {@code saftig-grünes} is one token. The regular expressions and their order are sacreBLEU's; Java's
 * {@code replaceAll} scans left to right without overlap exactly as Python's {@code re.sub}.
 */
public final class Tokenizer13a {

    /** {@code { | } ~}, {@code [ \ ] ^ _ `}, space to {@code &}, {@code ( ) * +}, {@code : ; < = > ? @}, {@code /}. */
    private static final Pattern SYMBOL = Pattern.compile("([\\x7B-\\x7E\\x5B-\\x60\\x20-\\x26\\x28-\\x2B\\x3A-\\x40/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private Tokenizer13a() {
    }

    /** The tokens of one segment, joined by single spaces. */
    public static String tokenize(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = SYMBOL.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return String.join(" ", PythonWhitespace.split(line));
    }
}
