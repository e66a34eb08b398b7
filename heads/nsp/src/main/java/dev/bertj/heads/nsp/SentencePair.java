package dev.bertj.heads.nsp;

/** A labelled pair: {@code isNext} when B really follows A in its document. */
public record SentencePair(String a, String b, boolean isNext) {

    /** BERT's label: 0 = IsNext, 1 = NotNext (Hugging Face's next_sentence_label). */
    public int label() {
        return isNext ? 0 : 1;
    }
}
