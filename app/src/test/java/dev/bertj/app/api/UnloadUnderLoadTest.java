package dev.bertj.app.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model unloaded while 16 clients keep sending it requests on every endpoint: each request in flight finishes
 * (200) or fails cleanly (a problem document: 404 once the model is gone, 503/429 if it was queued behind the
 * unload), never a 5xx other than 503, never a hang; and the service keeps serving its other models.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceDirs.class, restrictToAnnotatedClass = false)
class UnloadUnderLoadTest {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[][] REQUESTS = {
        {"/v1/embed", "{\"inputs\": [\"the cat sat on the mat\", \"hello world\"], \"model\": \"tiny-two\"}"},
        {"/v1/fill-mask", "{\"inputs\": \"the cat [MASK] on the mat\", \"model\": \"tiny-two\"}"},
        {"/v1/next-sentence", "{\"text_a\": \"the cat sat\", \"text_b\": \"on the mat\", \"model\": \"tiny-two\"}"},
        {"/v1/question-answering", "{\"question\": \"where is the cat?\", \"context\": \"the cat is in paris\","
            + " \"model\": \"tiny-two\"}"},
        {"/v1/text-classification", "{\"inputs\": \"the cat sat\", \"model\": \"tiny-two\"}"},
        {"/v1/heads/mlm/predict?model=tiny-two", "{\"text\": \"the [MASK] sat\", \"topK\": 5}"}};

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(90)).header("Authorization", "Bearer " + ServiceDirs.TOKEN)
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsInFlightDuringAnUnloadFinishOrFailCleanly() throws Exception {
        assertThat(send("POST", "/v1/models", "{\"model\": \"tiny-two\"}").statusCode()).isIn(200, 201);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean unloaded = new AtomicBoolean();
        AtomicInteger afterUnload = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    // Each client keeps sending until it has seen several answers after the unload.
                    for (int i = 0; afterUnload.get() < 64 && i < 10_000; i++) {
                        String[] r = REQUESTS[(client + i) % REQUESTS.length];
                        boolean wasUnloaded = unloaded.get();
                        HttpResponse<String> res = send("POST", r[0], r[1]);
                        int status = res.statusCode();
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (wasUnloaded) {
                            afterUnload.incrementAndGet();
                            if (status == 200) {
                                failures.add("answered after the unload returned: " + r[0]);
                            }
                        }
                        if (status != 200) {
                            String type = res.headers().firstValue("Content-Type").orElse("");
                            boolean problem = type.startsWith("application/problem+json")
                                    && !JSON.readTree(res.body()).path("detail").asText("").isBlank();
                            if (!(status == 404 || status == 503 || status == 429) || !problem) {
                                failures.add(status + " " + r[0] + " -> " + res.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(1500);
            HttpResponse<String> unload = send("DELETE", "/v1/models/tiny-two", null);
            unloaded.set(true);
            assertThat(unload.statusCode()).as(unload.body()).isEqualTo(204);
            for (Future<?> f : running) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        System.out.println("UnloadUnderLoadTest: statuses " + new java.util.TreeMap<>(statuses) + ", "
                + afterUnload.get() + " requests sent after the unload returned");
        assertThat(failures).as("statuses " + statuses).isEmpty();
        assertThat(statuses.keySet()).as("some requests finished before the unload and some came after it")
                .contains(200, 404);
        // The other models kept serving.
        assertThat(send("POST", "/v1/embed", "{\"inputs\": \"hello\"}").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/models/tiny-two", null).statusCode()).isEqualTo(404);
    }
}
