package dev.bertj.app.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.Problem;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses oversized bodies by their declared length before a byte of them is read: JSON endpoints take
 * {@code bertj.limits.max-body-bytes}, plugin uploads {@code bertj.plugins.max-upload-bytes}. Bodies without a
 * length (chunked) are capped by {@code quarkus.http.limits.max-body-size}, and every text by its own limit.
 */
@ApplicationScoped
public class BodyLimits {

    static final String PLUGIN_UPLOADS = "/v1/plugins";

    @Inject
    ServiceConfig config;
    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route().order(-100).handler(this::check);
    }

    private void check(RoutingContext rc) {
        HttpMethod m = rc.request().method();
        if (m != HttpMethod.POST && m != HttpMethod.PUT && m != HttpMethod.PATCH) {
            rc.next();
            return;
        }
        String length = rc.request().getHeader("Content-Length");
        if (length == null) {
            rc.next();
            return;
        }
        long declared;
        try {
            declared = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            refuse(rc, 400, "Malformed request", "Content-Length is not a number");
            return;
        }
        boolean upload = rc.normalizedPath().equals(PLUGIN_UPLOADS);
        long limit = upload ? config.plugins().maxUploadBytes() : config.limits().maxBodyBytes();
        if (declared > limit) {
            refuse(rc, 413, "Request too large", "the body is " + declared + " bytes; this endpoint takes at most "
                    + limit + (upload ? " (bertj.plugins.max-upload-bytes)" : " (bertj.limits.max-body-bytes)"));
            return;
        }
        rc.next();
    }

    private void refuse(RoutingContext rc, int status, String title, String detail) {
        String kind = status == 413 ? "too-large" : "bad-request";
        String body;
        try {
            body = json.writeValueAsString(new Problem("https://bertj.dev/problems/" + kind, title, status, detail));
        } catch (Exception e) {
            body = "{\"status\":" + status + "}";
        }
        // The client may still be sending; close the connection rather than read what was refused.
        rc.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end(body);
    }
}
