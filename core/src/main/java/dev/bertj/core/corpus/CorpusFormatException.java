package dev.bertj.core.corpus;

import java.io.IOException;

/** A corpus file that is not in the format its reader expects; the message says which file and what is wrong. */
public class CorpusFormatException extends IOException {

    public CorpusFormatException(String message) {
        super(message);
    }

    public CorpusFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
