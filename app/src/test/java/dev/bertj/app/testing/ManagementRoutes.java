package dev.bertj.app.testing;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.List;

/**
 * Every management endpoint of docs/service.md with a request that would act if it were let through (real model,
 * plugin and job ids): the auth tests send each one with no, wrong and right tokens.
 */
public final class ManagementRoutes {

    private ManagementRoutes() {
    }

    public record Route(String method, String path, String contentType, byte[] body) {
        public Response send(RequestSpecification spec) {
            if (contentType != null) {
                spec = spec.contentType(contentType).body(body);
            }
            return spec.request(method, path);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    public static final List<Route> ALL = List.of(
            new Route("POST", "/v1/models", "application/json", "{\"model\": \"tiny-two\"}".getBytes()),
            new Route("DELETE", "/v1/models/tiny-two", null, null),
            new Route("GET", "/v1/plugins", null, null),
            new Route("POST", "/v1/plugins?name=x.jar", "application/java-archive", new byte[] {'P', 'K', 3, 4}),
            new Route("DELETE", "/v1/plugins/mlm", null, null),
            new Route("POST", "/v1/jobs", "application/json", "{\"head\": \"classification\"}".getBytes()),
            new Route("GET", "/v1/jobs", null, null),
            new Route("GET", "/v1/jobs/job-000000000001", null, null),
            new Route("DELETE", "/v1/jobs/job-000000000001", null, null),
            new Route("GET", "/v1/jobs/job-000000000001/events", null, null));
}
