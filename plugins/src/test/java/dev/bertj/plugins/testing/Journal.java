package dev.bertj.plugins.testing;

import java.util.ArrayList;
import java.util.List;

/** Where fixture plugins write down their lifecycle hooks, so that tests can see them run. Host-side class. */
public final class Journal {

    private static final List<String> ENTRIES = new ArrayList<>();

    private Journal() {
    }

    public static synchronized void record(String entry) {
        ENTRIES.add(entry);
    }

    public static synchronized List<String> entries() {
        return List.copyOf(ENTRIES);
    }

    public static synchronized void clear() {
        ENTRIES.clear();
    }
}
