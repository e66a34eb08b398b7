package dev.bertj.app.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.UUID;

/**
 * Every error leaves the service as a problem document. Client mistakes get their 4xx with what was wrong; an
 * unexpected exception gets a 500 that names a log reference and nothing else (no stack trace, no request text).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Details quote at most this much of what the client sent (Jackson messages can echo values). */
    private static final int MAX_DETAIL = 400;

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        if (e.status() >= 500 && e.getCause() != null) {
            LOG.errorf(withoutMessages(e.getCause()), "%s failed (%d)", e.problem().title(), e.status());
        }
        Response.ResponseBuilder r = Response.status(e.status()).type(Problem.MEDIA_TYPE).entity(e.problem());
        e.headers().forEach(r::header);
        return r.build();
    }

    /** JSON that does not parse or does not fit the endpoint's types. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return problem(ProblemException.badRequest(describe(e)));
    }

    /** Wrong types or shapes; registered for this type so that it wins over Quarkus's built-in mapper. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        return problem(ProblemException.badRequest(describe(e)));
    }

    /** JAX-RS's own errors (404 unknown path, 405, 415, 406, a 400 wrapping a Jackson error, ...). */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException j) {
            return problem(ProblemException.badRequest(describe(j)));
        }
        if (status >= 500) {
            return unexpected(e);
        }
        String reason = Response.Status.fromStatusCode(status) == null
                ? "HTTP " + status : Response.Status.fromStatusCode(status).getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "no such resource; see /q/openapi for the endpoints";
            case 405 -> "this endpoint does not take that HTTP method";
            case 415 -> "send the body as application/json";
            case 406 -> "this endpoint answers in application/json";
            default -> clip(e.getMessage() == null ? reason : e.getMessage());
        };
        Response.ResponseBuilder r = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", reason, status, detail));
        if (e.getResponse() != null && e.getResponse().getHeaderString("Allow") != null) {
            r.header("Allow", e.getResponse().getHeaderString("Allow"));
        }
        return r.build();
    }

    /** A bug, not the client's fault: logged with a reference the client can quote. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String ref = UUID.randomUUID().toString();
        LOG.errorf(withoutMessages(e), "unexpected error, reference %s", ref);
        return Response.status(500).type(Problem.MEDIA_TYPE).entity(new Problem(Problem.TYPE_PREFIX + "internal",
                "Internal error", 500, "the service failed unexpectedly; reference " + ref)).build();
    }

    /**
     * The exception for the log: its classes and stack frames, not its messages, which may quote what the client
     * sent (a head's "no [MASK] in '...'"). The log must never hold request text.
     */
    public static Throwable withoutMessages(Throwable t) {
        Throwable copy = new LoggedException(t.getClass().getName(),
                t.getCause() != null && t.getCause() != t ? withoutMessages(t.getCause()) : null);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /** Stands in for an exception in the log, named by its class. */
    static final class LoggedException extends RuntimeException {
        LoggedException(String className, Throwable cause) {
            super(className + " (message withheld)", cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    /** Says where in the JSON the problem is and what it was, without Jackson's source excerpts. */
    public static String describe(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "the JSON exceeds a parser limit: " + clip(e.getOriginalMessage());
        }
        String where = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            if (path.length() > 0) {
                where = "field '" + path + "': ";
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + clip(u.getPropertyName()) + "'; known fields: " + u.getKnownPropertyIds();
        }
        String msg = e.getOriginalMessage();
        if (msg != null && msg.startsWith("No content to map")) {
            return "the request needs a JSON body";
        }
        return where + clip(msg == null ? e.getClass().getSimpleName() : msg);
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "...";
    }
}
