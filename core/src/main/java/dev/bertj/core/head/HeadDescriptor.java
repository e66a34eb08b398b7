package dev.bertj.core.head;

/**
 * Who a head is: a stable id ({@code mlm}, {@code nsp}, {@code qa}, {@code classification}, {@code translation}
 * or a third party's), its version, a one-line description, and the Java types of its requests and answers
 * (records that map one-to-one onto the service's JSON).
 */
public record HeadDescriptor(String id, String version, String description, Class<?> requestType,
                             Class<?> responseType) {

    public HeadDescriptor {
        if (id == null || !id.matches("[a-z][a-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("head id must match [a-z][a-z0-9_-]{0,63}, got '" + id + "'");
        }
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("head " + id + ": version is required");
        }
    }
}
