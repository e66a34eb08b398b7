package dev.bertj.core.corpus;

import java.io.Closeable;
import java.io.IOException;

/** Streams the documents of a corpus, one at a time. */
public interface CorpusReader extends Closeable {

    /** The next document, or null at the end. */
    CorpusDocument next() throws IOException;
}
