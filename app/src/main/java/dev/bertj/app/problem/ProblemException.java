package dev.bertj.app.problem;

import java.util.Map;

/**
 * A request that cannot be served, with the status and words that go back to the client. Thrown anywhere
 * in the service; {@link ProblemMappers} turns it into a problem document.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String kind;
    private final String title;
    private final Map<String, String> headers;

    public ProblemException(int status, String kind, String title, String detail) {
        this(status, kind, title, detail, Map.of(), null);
    }

    public ProblemException(int status, String kind, String title, String detail, Map<String, String> headers,
                            Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.kind = kind;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problem problem() {
        return new Problem(Problem.TYPE_PREFIX + kind, title, status, getMessage());
    }

    /** 400: the body is not the JSON the endpoint takes (syntax, types, missing or unknown fields). */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "bad-request", "Malformed request", detail);
    }

    /** 401: no bearer token on an endpoint that needs one. */
    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Authentication required", detail,
                Map.of("WWW-Authenticate", "Bearer realm=\"bertj\""), null);
    }

    /** 403: a wrong token, or management disabled because no token is configured. */
    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    /** 404: an unknown model, head, plugin or job. */
    public static ProblemException notFound(String kind, String detail) {
        return new ProblemException(404, "unknown-" + kind, "Unknown " + kind, detail);
    }

    /** 409: the request conflicts with the current state (a model id already in use, a finished job). */
    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict", detail);
    }

    /** 413: the body, a text, or the number of inputs is over its limit. */
    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "too-large", "Request too large", detail);
    }

    /** 422: well-formed JSON the model cannot use (no [MASK], a text longer than the model reads, ...). */
    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "unusable-input", "Unusable input", detail);
    }

    /** 429: the encoder's queue is full; try again after {@code retryAfterSeconds}. */
    public static ProblemException overloaded(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "overloaded", "Too many requests", detail,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))), null);
    }

    /** 503: not ready yet (the model is loading) or the request could not be served in time. */
    public static ProblemException unavailable(String detail, long retryAfterSeconds) {
        return new ProblemException(503, "unavailable", "Service unavailable", detail,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))), null);
    }

    /** 504: a head did not answer within its call timeout. */
    public static ProblemException timeout(String detail) {
        return new ProblemException(504, "head-timeout", "Head timed out", detail);
    }

    /** 500 for a head whose own code failed: the host is fine, that plugin is not. */
    public static ProblemException headFailed(String detail, Throwable cause) {
        return new ProblemException(500, "head-failed", "Head failed", detail, Map.of(), cause);
    }
}
