package dev.bertj.core.corpus;

import java.util.List;
import java.util.Map;

/**
 * An R object read by {@link RXdrReader}: its SEXP type, its data and its attributes. Data by type: {@code String[]}
 * for character vectors (null entries are NA), {@code int[]} for integer and logical vectors, {@code double[]} for
 * numeric vectors, {@code byte[]} for raw vectors, {@code List<RValue>} for lists, {@code String} for symbols and
 * single strings, null for NULL and the special environments.
 */
public record RValue(int type, Object data, Map<String, RValue> attributes) {

    public static final int NILSXP = 0;
    public static final int SYMSXP = 1;
    public static final int LISTSXP = 2;
    public static final int CHARSXP = 9;
    public static final int LGLSXP = 10;
    public static final int INTSXP = 13;
    public static final int REALSXP = 14;
    public static final int STRSXP = 16;
    public static final int VECSXP = 19;
    public static final int EXPRSXP = 20;
    public static final int RAWSXP = 24;

    static final RValue NULL = new RValue(NILSXP, null, Map.of());

    public RValue {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public String[] strings() {
        return cast(String[].class, "a character vector");
    }

    public int[] ints() {
        return cast(int[].class, "an integer or logical vector");
    }

    @SuppressWarnings("unchecked")
    public List<RValue> list() {
        return cast(List.class, "a list");
    }

    /** The {@code names} attribute, or null. */
    public String[] names() {
        RValue names = attributes.get("names");
        return names == null ? null : names.strings();
    }

    /** The element called {@code name} of a named list, or null. */
    public RValue element(String name) {
        String[] names = names();
        if (names == null) {
            return null;
        }
        List<RValue> values = list();
        for (int i = 0; i < names.length && i < values.size(); i++) {
            if (name.equals(names[i])) {
                return values.get(i);
            }
        }
        return null;
    }

    private <T> T cast(Class<T> type, String what) {
        if (!type.isInstance(data)) {
            throw new IllegalStateException("R object of SEXP type " + this.type + " is not " + what);
        }
        return type.cast(data);
    }
}
