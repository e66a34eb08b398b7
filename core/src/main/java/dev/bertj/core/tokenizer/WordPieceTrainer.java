package dev.bertj.core.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Learns a WordPiece vocabulary from a corpus, as Hugging Face tokenizers' {@code WordPieceTrainer} does: BPE merges
 * over the corpus' words with the {@code ##} continuation prefix, then the merged pieces are the vocabulary.
 *
 * <ol>
 *   <li>Every line is normalized and split into words as {@link WordPieceTokenizer} splits it (character by
 *       character: combining marks out of canonical order are not reordered across characters here), and the words
 *       are counted. As in HF, special tokens written in the corpus are not kept whole.</li>
 *   <li>The vocabulary starts with the special tokens, then the alphabet: the {@code limitAlphabet} most frequent
 *       characters (all of them if 0), in code point order. A character inside a word is the symbol {@code ##c}.</li>
 *   <li>Repeatedly the most frequent adjacent symbol pair is merged into a new symbol ({@code "un" + "##able"} gives
 *       {@code "unable"}; {@code "##a" + "##b"} gives {@code "##ab"}), until the vocabulary has {@code vocabSize}
 *       tokens or no pair occurs {@code minFrequency} times.</li>
 * </ol>
 *
 * Deterministic: ties between equally frequent pairs go to the pair of earlier symbols, and symbols get ids in a
 * fixed order (the {@code ##} alphabet in code point order), so the same corpus always gives the same vocabulary.
 * Immutable and reusable.
 */
public final class WordPieceTrainer {

    /** BERT's special tokens, in {@code bert-base-uncased}'s order. */
    public static final List<String> BERT_SPECIAL_TOKENS =
            List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.CLS, Vocabulary.SEP, Vocabulary.MASK);

    private static final String PREFIX = "##";

    private final int vocabSize;
    private final TokenizerOptions normalization;
    private final int minFrequency;
    private final int limitAlphabet;
    private final List<String> specialTokens;

    /**
     * A trainer with the defaults of HF's {@code BertWordPieceTokenizer.train}: minimum pair frequency 2, alphabet
     * limited to 1000 characters, BERT's special tokens.
     */
    public WordPieceTrainer(int vocabSize, TokenizerOptions normalization) {
        this(vocabSize, normalization, 2, 1000, BERT_SPECIAL_TOKENS);
    }

    private WordPieceTrainer(int vocabSize, TokenizerOptions normalization, int minFrequency, int limitAlphabet,
                             List<String> specialTokens) {
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.specialTokens = List.copyOf(specialTokens);
        if (minFrequency < 0 || limitAlphabet < 0) {
            throw new IllegalArgumentException("minFrequency and limitAlphabet must be >= 0");
        }
        if (vocabSize < this.specialTokens.size() + 1) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " leaves no room beside the "
                    + this.specialTokens.size() + " special tokens");
        }
        if (!this.specialTokens.contains(Vocabulary.UNK)) {
            throw new IllegalArgumentException("the special tokens must include " + Vocabulary.UNK);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        this.limitAlphabet = limitAlphabet;
    }

    public WordPieceTrainer withMinFrequency(int value) {
        return new WordPieceTrainer(vocabSize, normalization, value, limitAlphabet, specialTokens);
    }

    /** Keep only the {@code value} most frequent characters (0: keep all). */
    public WordPieceTrainer withLimitAlphabet(int value) {
        return new WordPieceTrainer(vocabSize, normalization, minFrequency, value, specialTokens);
    }

    public WordPieceTrainer withSpecialTokens(List<String> value) {
        return new WordPieceTrainer(vocabSize, normalization, minFrequency, limitAlphabet, value);
    }

    /** Learns a vocabulary from lines of text. */
    public Vocabulary train(Iterable<String> lines) {
        WordCounter counter = new WordCounter(CharNormalizer.of(normalization));
        for (String line : lines) {
            counter.add(line);
        }
        return learn(counter.counts);
    }

    /** Learns a vocabulary from UTF-8 text files, read line by line. */
    public Vocabulary trainFiles(List<Path> files) throws IOException {
        WordCounter counter = new WordCounter(CharNormalizer.of(normalization));
        for (Path file : files) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    counter.add(line);
                }
            } catch (CharacterCodingException e) {
                throw new IOException(file + " is not valid UTF-8", e);
            }
        }
        return learn(counter.counts);
    }

    /** A tokenizer over a vocabulary trained from lines, with this trainer's normalization. */
    public WordPieceTokenizer trainTokenizer(Iterable<String> lines) {
        return WordPieceTokenizer.of(train(lines), normalization);
    }

    private Vocabulary learn(Map<String, long[]> wordCounts) {
        List<String> symbols = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (String s : specialTokens) {
            if (!ids.containsKey(s)) {
                ids.put(s, symbols.size());
                symbols.add(s);
            }
        }
        // The alphabet: the most frequent characters (ties: lower code point first), then in code point order.
        Map<Integer, long[]> charCounts = new HashMap<>();
        for (Map.Entry<String, long[]> e : wordCounts.entrySet()) {
            long count = e.getValue()[0];
            e.getKey().codePoints().forEach(c -> charCounts.computeIfAbsent(c, k -> new long[1])[0] += count);
        }
        List<Integer> alphabet = new ArrayList<>(charCounts.keySet());
        if (limitAlphabet > 0 && alphabet.size() > limitAlphabet) {
            alphabet.sort((x, y) -> {
                int byCount = Long.compare(charCounts.get(y)[0], charCounts.get(x)[0]);
                return byCount != 0 ? byCount : Integer.compare(x, y);
            });
            alphabet = new ArrayList<>(alphabet.subList(0, limitAlphabet));
        }
        alphabet.sort(null);
        for (int c : alphabet) {
            addSymbol(new String(Character.toChars(c)), symbols, ids);
        }
        // Words as symbol sequences; characters outside the alphabet are dropped, as HF does.
        List<String> sortedWords = new ArrayList<>(wordCounts.keySet());
        sortedWords.sort(null);
        int[][] words = new int[sortedWords.size()][];
        long[] counts = new long[words.length];
        for (int w = 0; w < words.length; w++) {
            String word = sortedWords.get(w);
            counts[w] = wordCounts.get(word)[0];
            int[] cps = word.codePoints().toArray();
            int[] seq = new int[cps.length];
            int n = 0;
            for (int i = 0; i < cps.length; i++) {
                String ch = new String(Character.toChars(cps[i]));
                if (!ids.containsKey(ch)) {
                    continue;
                }
                seq[n++] = i == 0 ? ids.get(ch) : -1 - cps[i]; // continuation symbols get ids below
            }
            words[w] = Arrays.copyOf(seq, n);
        }
        // The ## alphabet in code point order, so ids do not depend on word order.
        java.util.TreeSet<Integer> continued = new java.util.TreeSet<>();
        for (int[] seq : words) {
            for (int s : seq) {
                if (s < 0) {
                    continued.add(-1 - s);
                }
            }
        }
        for (int c : continued) {
            addSymbol(PREFIX + new String(Character.toChars(c)), symbols, ids);
        }
        for (int[] seq : words) {
            for (int i = 0; i < seq.length; i++) {
                if (seq[i] < 0) {
                    seq[i] = ids.get(PREFIX + new String(Character.toChars(-1 - seq[i])));
                }
            }
        }
        new Merger(words, counts, symbols, ids).run();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < symbols.size(); i++) {
            vocab.put(symbols.get(i), i);
        }
        return Vocabulary.of(vocab);
    }

    private static void addSymbol(String s, List<String> symbols, Map<String, Integer> ids) {
        if (!ids.containsKey(s)) {
            ids.put(s, symbols.size());
            symbols.add(s);
        }
    }

    /** The BPE merge loop over the words' symbol sequences. */
    private final class Merger {
        private final int[][] words;
        private final int[] lengths;
        private final long[] counts;
        private final List<String> symbols;
        private final Map<String, Integer> ids;
        /** Occurrences of each adjacent pair (weighted by word count), and the words containing it. */
        private final Map<Long, long[]> pairCounts = new HashMap<>();
        private final Map<Long, java.util.BitSet> pairWords = new HashMap<>();
        /** Pairs by count, highest first, ties by the smaller (first, second) ids; stale entries are skipped. */
        private final PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> {
            int byCount = Long.compare(y[1], x[1]);
            return byCount != 0 ? byCount : Long.compare(x[0], y[0]);
        });

        Merger(int[][] words, long[] counts, List<String> symbols, Map<String, Integer> ids) {
            this.words = words;
            this.lengths = new int[words.length];
            this.counts = counts;
            this.symbols = symbols;
            this.ids = ids;
            for (int w = 0; w < words.length; w++) {
                lengths[w] = words[w].length;
                for (int i = 0; i + 1 < lengths[w]; i++) {
                    change(pair(words[w][i], words[w][i + 1]), counts[w], w);
                }
            }
            pairCounts.forEach((p, c) -> queue.add(new long[] {p, c[0]}));
        }

        void run() {
            while (symbols.size() < vocabSize && !queue.isEmpty()) {
                long[] top = queue.poll();
                long[] current = pairCounts.get(top[0]);
                if (current == null || current[0] != top[1]) {
                    if (current != null && current[0] > 0) {
                        queue.add(new long[] {top[0], current[0]});
                    }
                    continue;
                }
                if (top[1] < Math.max(1, minFrequency)) {
                    break;
                }
                int a = (int) (top[0] >>> 32);
                int b = (int) top[0];
                String right = symbols.get(b);
                String merged = symbols.get(a) + (right.startsWith(PREFIX) ? right.substring(PREFIX.length()) : right);
                Integer existing = ids.get(merged);
                int id = existing != null ? existing : symbols.size();
                if (existing == null) {
                    ids.put(merged, id);
                    symbols.add(merged);
                }
                java.util.BitSet where = pairWords.remove(top[0]);
                pairCounts.remove(top[0]);
                if (where == null) {
                    continue;
                }
                java.util.Set<Long> touched = new java.util.HashSet<>();
                for (int w = where.nextSetBit(0); w >= 0; w = where.nextSetBit(w + 1)) {
                    merge(w, a, b, id, touched);
                }
                for (long p : touched) {
                    long[] c = pairCounts.get(p);
                    if (c != null && c[0] > 0) {
                        queue.add(new long[] {p, c[0]});
                    }
                }
            }
        }

        /** Replaces every (a, b) in word w by id, updating the neighbouring pairs' counts. */
        private void merge(int w, int a, int b, int id, java.util.Set<Long> touched) {
            int[] s = words[w];
            int n = lengths[w];
            long count = counts[w];
            int out = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                    if (out > 0) {
                        int prev = s[out - 1];
                        change(pair(prev, a), -count, -1);
                        change(pair(prev, id), count, w);
                        touched.add(pair(prev, id));
                    }
                    if (i + 2 < n) {
                        // As HF: if another (a, b) follows, its merge undoes (id, a) again via its left side.
                        int next = s[i + 2];
                        change(pair(b, next), -count, -1);
                        change(pair(id, next), count, w);
                        touched.add(pair(id, next));
                    }
                    s[out++] = id;
                    i++;
                } else {
                    s[out++] = s[i];
                }
            }
            lengths[w] = out;
        }

        private void change(long pair, long delta, int word) {
            long[] c = pairCounts.computeIfAbsent(pair, k -> new long[1]);
            c[0] += delta;
            if (word >= 0) {
                pairWords.computeIfAbsent(pair, k -> new java.util.BitSet()).set(word);
            }
        }

        private long pair(int x, int y) {
            return ((long) x << 32) | (y & 0xFFFFFFFFL);
        }
    }

    /** Counts the normalized words of lines, split exactly as the tokenizer splits them. */
    private static final class WordCounter {
        final Map<String, long[]> counts = new HashMap<>();
        private final CharNormalizer normalizer;
        private final StringBuilder word = new StringBuilder();

        WordCounter(CharNormalizer normalizer) {
            this.normalizer = normalizer;
        }

        void add(String line) {
            for (int i = 0; i < line.length(); ) {
                int cp = line.codePointAt(i);
                i += Character.charCount(cp);
                for (int element : normalizer.elements(cp)) {
                    int cls = CharNormalizer.elementClass(element);
                    if (cls == CharNormalizer.WORD) {
                        word.appendCodePoint(CharNormalizer.codePoint(element));
                        continue;
                    }
                    flush();
                    if (cls == CharNormalizer.ISOLATED) {
                        word.appendCodePoint(CharNormalizer.codePoint(element));
                        flush();
                    }
                }
            }
            flush();
        }

        private void flush() {
            if (word.length() > 0) {
                counts.computeIfAbsent(word.toString(), k -> new long[1])[0]++;
                word.setLength(0);
            }
        }
    }
}
