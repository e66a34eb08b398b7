package dev.bertj.app.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 7807 problem document, the body of every error response ({@code application/problem+json}).
 *
 * @param type   a URI naming the kind of problem ({@code about:blank} when the status says it all)
 * @param title  the short, fixed summary of that kind
 * @param status the HTTP status code
 * @param detail what was wrong with this request, in words a client can act on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Problem types live under this prefix; docs/service.md describes each. */
    static final String TYPE_PREFIX = "https://bertj.dev/problems/";
}
