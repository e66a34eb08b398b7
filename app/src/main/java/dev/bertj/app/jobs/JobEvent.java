package dev.bertj.app.jobs;

/**
 * One server-sent event of a job: its name ({@code state}, {@code step}, {@code evaluation}, {@code checkpoint})
 * and its JSON data.
 */
public record JobEvent(long id, String name, Object data) {
}
