package dev.bertj.heads.translation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns target WordPieces back into text. Pieces with {@code ##} join the previous piece (WordPiece's own rule);
 * then the words are joined by spaces except where the source text would have had none. BERT's pre-tokenizer
 * splits every punctuation character into a word of its own, so decoding must glue it back:
 * <ul>
 *   <li>no space before closing punctuation {@code . , ! ? ; : ) ] } % …} and closing quotes, none after opening
 *       brackets and quotes ({@code ( [ { „ ‚ ¿ ¡}); straight quotes {@code "} and the English/German {@code “}
 *       alternate between opening and closing (a {@code “} after an open {@code „} closes it);</li>
 *   <li>a hyphen, slash or apostrophe between two letters or digits joins both sides ({@code saftig-grünes},
 *       {@code and/or}, {@code don't}), except a hyphen before a conjunction, which ends a suspended compound
 *       ({@code Baseball- und Fußballspieler});</li>
 *   <li>a period, comma or colon between two digits joins both sides ({@code 3.5}, {@code 1,000}, {@code 10:30}).</li>
 * </ul>
 * This is Hugging Face's {@code clean_up_tokenization_spaces} (spaces before {@code . , ! ?} and in English
 * contractions) extended to what sacreBLEU's 13a tokenisation can see: 13a keeps intra-word hyphens and quotes
 * attached, so {@code saftig - grünes} would cost BLEU where {@code saftig-grünes} does not.
 */
final class Detokenizer {

    private static final String CONTINUATION = "##";
    private static final Set<String> CLOSING = Set.of(".", ",", "!", "?", ";", ":", ")", "]", "}", "%", "…", "”", "’");
    private static final Set<String> OPENING = Set.of("(", "[", "{", "„", "‚", "¿", "¡");
    private static final Set<String> INFIX = Set.of("-", "/", "'");
    private static final Set<String> DIGIT_SEPARATORS = Set.of(".", ",", ":");
    /** Words after which a hyphen ends a suspended compound (German and English conjunctions, a comma). */
    private static final Set<String> CONJUNCTIONS = Set.of("und", "oder", "bzw", "sowie", "als", "bis", "and", "or",
            "to", ",");

    private Detokenizer() {
    }

    /** The text of WordPiece tokens (special tokens already removed). */
    static String detokenize(List<String> pieces) {
        List<String> words = new ArrayList<>();
        for (String piece : pieces) {
            if (piece.startsWith(CONTINUATION) && piece.length() > CONTINUATION.length() && !words.isEmpty()) {
                int last = words.size() - 1;
                words.set(last, words.get(last) + piece.substring(CONTINUATION.length()));
            } else {
                words.add(piece.startsWith(CONTINUATION) && piece.length() > CONTINUATION.length()
                        ? piece.substring(CONTINUATION.length()) : piece);
            }
        }
        StringBuilder out = new StringBuilder();
        boolean glueNext = false;
        boolean doubleQuoteOpen = false;
        boolean lowQuoteOpen = false;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String prev = i > 0 ? words.get(i - 1) : "";
            String next = i + 1 < words.size() ? words.get(i + 1) : "";
            boolean attachLeft;
            boolean attachRight;
            if (w.equals("\"") || (w.equals("“") && !lowQuoteOpen)) {
                // A straight quote or an English opening quote: opens unless one is open.
                boolean closing = doubleQuoteOpen;
                doubleQuoteOpen = !closing;
                attachLeft = closing;
                attachRight = !closing;
            } else if (w.equals("“")) {
                lowQuoteOpen = false;
                attachLeft = true;
                attachRight = false;
            } else if (w.equals("„")) {
                lowQuoteOpen = true;
                attachLeft = false;
                attachRight = true;
            } else if (INFIX.contains(w) && endsAlnum(prev) && startsAlnum(next)) {
                attachLeft = true;
                attachRight = !(w.equals("-") && CONJUNCTIONS.contains(next));
            } else if (DIGIT_SEPARATORS.contains(w) && endsDigit(prev) && startsDigit(next)) {
                attachLeft = true;
                attachRight = true;
            } else {
                attachLeft = CLOSING.contains(w) || (w.equals("-") && endsAlnum(prev) && CONJUNCTIONS.contains(next));
                attachRight = OPENING.contains(w);
            }
            if (i > 0 && !glueNext && !attachLeft) {
                out.append(' ');
            }
            out.append(w);
            glueNext = attachRight;
        }
        return out.toString();
    }

    private static boolean endsAlnum(String s) {
        return !s.isEmpty() && Character.isLetterOrDigit(s.codePointBefore(s.length()));
    }

    private static boolean startsAlnum(String s) {
        return !s.isEmpty() && Character.isLetterOrDigit(s.codePointAt(0));
    }

    private static boolean endsDigit(String s) {
        return !s.isEmpty() && Character.isDigit(s.codePointBefore(s.length()));
    }

    private static boolean startsDigit(String s) {
        return !s.isEmpty() && Character.isDigit(s.codePointAt(0));
    }
}
