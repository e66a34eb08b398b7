package dev.bertj.core.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a paragraph into sentences with a few plain rules, good enough for next-sentence prediction on edited
 * prose (novels, Bible translations); it is not a general-purpose segmenter.
 *
 * <p>A sentence ends after a run of terminators ({@code .}, {@code !}, {@code ?}, {@code …}) and any closing
 * quotes, brackets or underscores right after it, when that run is followed by whitespace and then by an
 * upper-case letter, a digit, or an opening quote or bracket; and at the end of the paragraph. It does not end
 * after a period that closes
 * <ul>
 *   <li>a known abbreviation ({@link #ABBREVIATIONS}: titles such as {@code Mr.}, {@code Mrs.}, {@code St.}, and
 *       {@code e.g.}, {@code i.e.}, {@code etc.}, {@code viz.}), or</li>
 *   <li>a single letter ({@code F. C. Weston}, {@code A. W.}): an initial.</li>
 * </ul>
 * So {@code "Is he?" cried she.} stays one sentence (lower case follows), while {@code He went. "Yes," she said.}
 * is two. Whitespace is collapsed; a paragraph without a terminator is one sentence.
 */
public final class SentenceSplitter {

    /** Words that end in a period without ending a sentence (matched case-sensitively, without the period). */
    public static final Set<String> ABBREVIATIONS = Set.of(
            "Mr", "Mrs", "Ms", "Messrs", "Dr", "St", "Mme", "Mlle", "Mde", "Col", "Capt", "Gen", "Lt", "Sgt",
            "Adm", "Rev", "Hon", "Esq", "Jr", "Sr", "Prof", "Gov", "Sen", "Rep", "No", "Nos", "Vol", "Ch", "pp",
            "vs", "etc", "viz", "cf", "e.g", "i.e", "ca", "approx", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
            "Aug", "Sep", "Sept", "Oct", "Nov", "Dec");

    /** The sentences of a paragraph, trimmed, none empty. */
    public List<String> split(String paragraph) {
        String text = collapse(paragraph);
        List<String> sentences = new ArrayList<>();
        int start = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (!isTerminator(c)) {
                i++;
                continue;
            }
            int runStart = i;
            int j = i;
            while (j < n && isTerminator(text.charAt(j))) {
                j++;
            }
            boolean singlePeriod = j == runStart + 1 && c == '.';
            while (j < n && isCloser(text.charAt(j))) {
                j++;
            }
            if (j == n) {
                break;
            }
            boolean boundary = text.charAt(j) == ' ' && j + 1 < n && startsSentence(text.charAt(j + 1))
                    && !(singlePeriod && isAbbreviationOrInitial(text, runStart));
            if (boundary) {
                sentences.add(text.substring(start, j));
                start = j + 1;
            }
            i = j;
        }
        if (start < n) {
            sentences.add(text.substring(start));
        }
        return sentences;
    }

    /** Whether the word ending just before the period at {@code dot} is an abbreviation or an initial. */
    private static boolean isAbbreviationOrInitial(String text, int dot) {
        int wordStart = dot;
        while (wordStart > 0 && !Character.isWhitespace(text.charAt(wordStart - 1))
                && !isOpener(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        String word = text.substring(wordStart, dot);
        if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
            return true;
        }
        return ABBREVIATIONS.contains(word);
    }

    private static boolean isTerminator(char c) {
        return c == '.' || c == '!' || c == '?' || c == '…';
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == '”' || c == '’' || c == ')' || c == ']' || c == '_' || c == '»';
    }

    private static boolean isOpener(char c) {
        return c == '"' || c == '\'' || c == '“' || c == '‘' || c == '(' || c == '[' || c == '_' || c == '«';
    }

    private static boolean startsSentence(char c) {
        return Character.isUpperCase(c) || Character.isDigit(c) || isOpener(c);
    }

    private static String collapse(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
