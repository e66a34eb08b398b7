package dev.bertj.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Test inputs: the vendored SQuAD excerpt and a hand-written set of hard cases. */
final class TestTexts {

    private TestTexts() {
    }

    /** One SQuAD paragraph and its questions. */
    record Paragraph(String context, List<String> questions) {
    }

    private static List<Paragraph> squad;

    /** The SQuAD v1.1 dev excerpt (CC BY-SA 4.0, see NOTICE-squad.md): 1,146 paragraphs, 1.23 MB of text. */
    static synchronized List<Paragraph> squad() {
        if (squad == null) {
            try (InputStream in = TestTexts.class.getResourceAsStream("squad-v1.1-dev-excerpt.json")) {
                List<Paragraph> out = new ArrayList<>();
                for (JsonNode p : new ObjectMapper().readTree(in)) {
                    List<String> questions = new ArrayList<>();
                    p.get("questions").forEach(q -> questions.add(q.asText()));
                    out.add(new Paragraph(p.get("context").asText(), List.copyOf(questions)));
                }
                squad = List.copyOf(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return squad;
    }

    /** Every context and every question of the excerpt. */
    static List<String> squadTexts() {
        List<String> texts = new ArrayList<>();
        for (Paragraph p : squad()) {
            texts.add(p.context());
            texts.addAll(p.questions());
        }
        return texts;
    }

    /**
     * Inputs where tokenizers usually disagree: accents and combining marks, scripts, emoji sequences, control,
     * zero-width and non-breaking characters, very long words, special tokens in the text, empty and blank strings,
     * lone surrogates, and characters whose Unicode properties changed after Unicode 8.0.
     */
    static List<String> hardCases() {
        List<String> c = new ArrayList<>(List.of(
                "", " ", "   ", "\t\n\r ", "\u00A0\u2003\u3000", "\u200B\u200B", "\u0000", "\uFFFD",
                "Hello, world!", "The quick brown fox jumps over the lazy dog.",
                "don't won't I'm you're it's y'all rock'n'roll", "U.S.A. e.g. i.e. Ph.D. 3.14159 1,000,000 -42 1e-10",
                // Accents, precomposed and decomposed; title case digraphs; dotted capital I; sharp s; ligatures.
                "Café naïve résumé Ångström São Paulo façade Zürich Dvořák Łódź", "CAFÉ ÉCOLE Ÿ ǅungla ǈ ǋ Ǖ ḗ ΐ",
                "e\u0301 a\u0308 n\u0303 o\u0302\u0323 q\u0307\u0323 a\u0323\u0302\u0301", "İstanbul ıi İİ i\u0307",
                "ß ẞ ﬁ ﬂ ﬃ Straße STRASSE", "Tiếng Việt có dấu, Nguyễn Thị Minh Khai",
                // Greek (final sigma: lowercased per character, no context rule), Cyrillic.
                "Σίσυφος ΟΔΥΣΣΕΥΣ ΟΔΟΣ. Η γρήγορη καφέ αλεπού",
                "Съешь же ещё этих мягких французских булок, да выпей чаю. Ёлка Йод",
                // CJK and other scripts.
                "北京大学 東京 日本語のテキスト 中文字符，标点。", "안녕하세요 세계 한국어 텍스트입니다", "ひらがな カタカナ ｶﾀｶﾅ ﾊﾟﾋﾟ",
                "\uD840\uDC00\uD840\uDC01 \uD869\uDEA5 \uD87E\uDC00\uD87E\uDC01 丽", "ＡＢＣ１２３！？ ｆｕｌｌｗｉｄｔｈ",
                "مرحبا بالعالم، كيف حالك؟", "שָׁלוֹם עוֹלָם", "สวัสดีครับ ภาษาไทย", "नमस्ते दुनिया। हिन्दी",
                "வணக்கம் தமிழ்", "ᠮᠣᠩᠭᠣᠯ a\u180Eb", "Ελληνικά ἀρχαῖα ᾅδης",
                // Emoji: modifiers, ZWJ sequences, flags, keycaps, variation selectors.
                "😀 👍🏽 👨\u200D👩\u200D👧\u200D👦 🏳️\u200D🌈 ❤️ 🇺🇸 ©️ 1️⃣ a😀b 😀😀😀",
                // Control, format, zero-width and private-use characters; NUL; bidi controls; line separators.
                "a\u0000b\u0001c\u007Fd\u0085e\u009Ff", "a\u200Bb\u200Cc\u200Dd\uFEFFe x\u00ADy",
                "\u202Eabc\u202C \u2066x\u2069 \u2028 \u2029 a\u000Bb\u000Cc\u001Cd\u001Fe", "\uE000\uF8FF \uDB80\uDC00 x",
                "abc\u0000\u0000def", "tab\tseparated\tvalues", "line\nbreaks\r\nand\rreturns",
                // Punctuation, symbols, and characters categorised differently after Unicode 8.0.
                "Hello, world! (test) [brackets] {braces} \"quotes\" 'single' — – … ¿¡ «» „“ ‹›",
                "... !!! ??? #hashtag @mention $100 50% a+b=c a<b>c ^caret `tick` |pipe| ~tilde",
                "a\u2E43b \u166D x\u08E2y \uD801\uDD70\uD801\uDD71 \uA7C0\uA7C1 \u2C2F \u1C89",
                "https://example.com/path?q=1&x=y#frag user@example.com C++ C# .NET",
                "½ ² ³ ① ⅷ ℃ ℉ № ™ ° ± × ÷ √ ∞ ≠ ≤ ≥ € £ ¥ ₹ ₿",
                // Special tokens in the text.
                "[CLS] a [SEP] b [SEP]", "[MASK]", "the [MASK] sat on the [MASK].", "[mask] [Mask] [MASK][MASK]",
                "[UNK] [PAD][PAD] x[SEP]y [[MASK]] [MASK [CLS MASK] [ MASK ]", "[CLS]", "[SEP][SEP]",
                "Paris is the [MASK] of France.",
                // Combining marks out of canonical order: NFD sorts them, and the marks accent stripping keeps
                // (newer than Unicode 8.0, or spacing) move while their spans stay in place.
                "a\uD83A\uDD44\u0316b x\uD83A\uDD44\uD83A\uDD4Ay a\uD83A\uDD44\u200B\uD83A\uDD4Ab",
                "\u0628\u08E1\u064E\u0628 \u062A\u064E\u08D4 e\u0301\u0323 \u1EC7\u0301 \uAC00\u302F\u0316",
                "\uD834\uDD65\uD834\uDD6D\u0316 q\u0301\u0334\u0316\u0327 \u0915\u094D\u093C\u0951",
                // Lone surrogates (UTF-16 that no UTF-8 text can hold).
                "a\uD800b", "\uDC00", "x\uD83D", "\uDE00y z"));
        // Very long words: the 100-character limit counts normalized code points.
        c.add("a".repeat(100));
        c.add("a".repeat(101));
        c.add("x " + "é".repeat(100) + " y");
        c.add("e\u0301".repeat(60));
        c.add("e\u0301".repeat(101));
        c.add("\uD835\uDC9C".repeat(100));
        c.add("\uD835\uDC9C".repeat(101));
        c.add("supercalifragilisticexpialidocious".repeat(3) + " pneumonoultramicroscopicsilicovolcanoconiosis");
        c.add("ab".repeat(5000));
        c.add(String.join(" ", java.util.Collections.nCopies(400, "word")));
        return c;
    }
}
