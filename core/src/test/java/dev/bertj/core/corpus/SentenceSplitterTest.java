package dev.bertj.core.corpus;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SentenceSplitterTest {

    private final SentenceSplitter splitter = new SentenceSplitter();

    @Test
    void splitsAfterTerminatorsBeforeCapitalsAndQuotes() {
        assertThat(splitter.split("In the beginning, God created the heavens and the earth. The earth was"
                + " formless and empty.  Darkness was on the surface of the deep."))
                .containsExactly("In the beginning, God created the heavens and the earth.",
                        "The earth was formless and empty.", "Darkness was on the surface of the deep.");
        assertThat(splitter.split("\"What is his name?\" \"Bingley.\" \"Is he married or single?\""))
                .containsExactly("\"What is his name?\"", "\"Bingley.\"", "\"Is he married or single?\"");
        assertThat(splitter.split("God said, “Let there be light,” and there was light. “Behold!” he said."))
                .containsExactly("God said, “Let there be light,” and there was light.", "“Behold!” he said.");
        assertThat(splitter.split("Wait... What? 1 more thing (see below). Done"))
                .containsExactly("Wait...", "What?", "1 more thing (see below).", "Done");
    }

    @Test
    void keepsAbbreviationsInitialsAndLowerCaseContinuations() {
        assertThat(splitter.split("\"My dear Mr. Bennet,\" said his lady. Mrs. Long has just been here."))
                .containsExactly("\"My dear Mr. Bennet,\" said his lady.", "Mrs. Long has just been here.");
        assertThat(splitter.split("F. C. Weston Churchill wrote it, e.g. Frank. So it was."))
                .containsExactly("F. C. Weston Churchill wrote it, e.g. Frank.", "So it was.");
        assertThat(splitter.split("\"Do you not want to know who has taken it?\" cried his wife impatiently."))
                .containsExactly("\"Do you not want to know who has taken it?\" cried his wife impatiently.");
        assertThat(splitter.split("\"_You_ want to tell me.\" This was invitation enough."))
                .containsExactly("\"_You_ want to tell me.\"", "This was invitation enough.");
    }

    @Test
    void oneSentenceWithoutTerminatorAndNothingForBlankText() {
        assertThat(splitter.split("  Selah  ")).containsExactly("Selah");
        assertThat(splitter.split(" \t ")).isEmpty();
    }
}
