package dev.bertj.app.security;

import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The token check. {@link Management} endpoints: no token configured means disabled (403), no token sent means
 * 401, a wrong token 403. Inference endpoints need the token only if {@code bertj.auth.protect-inference} is on.
 * The token is compared in constant time and never logged.
 */
public class BearerTokenFilter {

    private final byte[] token;
    private final boolean protectInference;

    @Inject
    public BearerTokenFilter(ServiceConfig config) {
        this.token = config.auth().token().filter(t -> !t.isBlank())
                .map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.protectInference = config.auth().protectInference();
    }

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null) {
            return;
        }
        boolean management = resource.getResourceMethod().isAnnotationPresent(Management.class)
                || resource.getResourceClass().isAnnotationPresent(Management.class);
        if (!management && !protectInference) {
            return;
        }
        if (token == null) {
            if (management) {
                throw ProblemException.forbidden("management endpoints are disabled: no token is configured "
                        + "(set bertj.auth.token or BERTJ_AUTH_TOKEN)");
            }
            throw ProblemException.forbidden("inference is protected but no token is configured");
        }
        String header = request.getHeaderString("Authorization");
        if (header == null || header.isBlank()) {
            throw ProblemException.unauthorized("this endpoint needs 'Authorization: Bearer <token>'");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("the Authorization header must use the Bearer scheme");
        }
        byte[] sent = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(sent, token)) {
            throw ProblemException.forbidden("the bearer token is not valid");
        }
    }
}
