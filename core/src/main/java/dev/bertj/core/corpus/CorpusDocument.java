package dev.bertj.core.corpus;

import java.util.List;

/**
 * One document of a corpus (a chapter or a book), as paragraphs of plain text. Documents are the unit of
 * next-sentence prediction and of the held-out split.
 *
 * @param name       where it comes from, e.g. {@code Gen.1} or {@code Emma, CHAPTER I}
 * @param paragraphs its paragraphs, whitespace collapsed, none empty
 */
public record CorpusDocument(String name, List<String> paragraphs) {

    public CorpusDocument {
        paragraphs = List.copyOf(paragraphs);
    }
}
