package dev.bertj.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.testing.HeadJar;
import dev.bertj.app.testing.ServiceDirs;
import dev.bertj.app.testing.ServiceProcess;
import dev.bertj.app.testing.TinyModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service as a separate process, over real HTTP: health, inference, a plugin uploaded and removed,
 * and a fine-tuning job that survives {@code kill -9} of the service and whose model then serves requests.
 */
class PackagedServiceIT {

    static final String TOKEN = "e2e-token-9876543210";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path root;
    static Map<String, String> env;
    static ServiceProcess service;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        TinyModel.write(root.resolve("models/tiny"), 7);
        env = Map.of("BERTJ_DIRS_MODELS", root.resolve("models").toString(),
                "BERTJ_DIRS_PLUGINS", root.resolve("plugins").toString(),
                "BERTJ_DIRS_JOBS", root.resolve("jobs").toString(),
                "BERTJ_DIRS_DATA", root.resolve("data").toString(),
                "BERTJ_MODELS_DEFAULT", "tiny",
                "BERTJ_AUTH_TOKEN", TOKEN);
        port = ServiceProcess.freePort();
        service = new ServiceProcess(ServiceProcess.packagedJar(), port, env, root.resolve("service.log"))
                .start(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    static HttpResponse<String> get(String path, boolean admin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(60));
        if (admin) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String contentType, byte[] body, boolean admin)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (admin) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postJson(String path, String json, boolean admin) throws IOException, InterruptedException {
        return post(path, "application/json", json.getBytes(), admin);
    }

    @Test
    void healthMetricsOpenApiAndPlayground() throws Exception {
        assertThat(get("/q/health/live", false).statusCode()).isEqualTo(200);
        assertThat(get("/q/health/ready", false).body()).contains("\"UP\"").contains("tiny");
        HttpResponse<String> openapi = get("/q/openapi", false);
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(openapi.body()).contains("/v1/fill-mask").contains("/v1/embed").contains("/v1/jobs");
        assertThat(get("/q/swagger-ui/", false).statusCode()).isEqualTo(200);
        postJson("/v1/embed", "{\"inputs\": [\"hello\", \"the cat sat\"]}", false);
        String metrics = get("/q/metrics", false).body();
        assertThat(metrics).contains("bertj_requests_seconds_count{endpoint=\"embed\",model=\"tiny\",status=\"200\"}")
                .contains("bertj_batch_sequences_count{model=\"tiny\"}").contains("bertj_queue_depth{model=\"tiny\"}")
                .contains("bertj_encoder_tokens_total{model=\"tiny\"}");
        HttpResponse<String> page = get("/", false);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>bertj playground</title>");
    }

    @Test
    void inferenceAndErrorsOverHttp() throws Exception {
        HttpResponse<String> embed = postJson("/v1/embed", "{\"inputs\": \"the cat sat\"}", false);
        assertThat(embed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(embed.body()).get(0).size()).isEqualTo(32);
        HttpResponse<String> fill = postJson("/v1/fill-mask", "{\"inputs\": \"the [MASK] sat\", \"top_k\": 2}", false);
        assertThat(fill.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(fill.body()).size()).isEqualTo(2);
        HttpResponse<String> bad = postJson("/v1/fill-mask", "{\"inputs\": \"no mask\"}", false);
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(postJson("/v1/embed", "{\"inputs\": ", false).statusCode()).isEqualTo(400);
        assertThat(get("/v1/plugins", false).statusCode()).isEqualTo(401);
    }

    @Test
    void aHeadJarUploadedAnswersWithoutRestartAndStopsWhenDeleted() throws Exception {
        Path jar = HeadJar.build(root.resolve("jar"), "2.0.0");
        String request = "{\"text\": \"hello world\"}";
        assertThat(postJson("/v1/heads/token-count/predict", request, false).statusCode()).isEqualTo(404);
        HttpResponse<String> up = post("/v1/plugins", "application/java-archive", Files.readAllBytes(jar), true);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        assertThat(Files.exists(root.resolve("plugins/token-count-2.0.0.jar"))).isTrue();
        HttpResponse<String> answer = postJson("/v1/heads/token-count/predict", request, false);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("tokens").asInt()).isEqualTo(4);
        assertThat(JSON.readTree(answer.body()).get("version").asText()).isEqualTo("2.0.0");
        HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/v1/plugins/token-count"))
                .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(Files.exists(root.resolve("plugins/token-count-2.0.0.jar"))).isFalse();
        assertThat(postJson("/v1/heads/token-count/predict", request, false).statusCode()).isEqualTo(404);
    }

    @Test
    void aJobSurvivesKillMinus9AndItsModelServes() throws Exception {
        ObjectNode job = JSON.createObjectNode().put("head", "classification").put("model", "tiny")
                .put("train_text", ServiceDirs.trainingTsv(2)).put("train_name", "train.tsv").put("epochs", 100)
                .put("batch", 4).put("max_length", 16).put("lr", 0.01).put("checkpoint_every", 10)
                .put("freeze_encoder", true).put("out", "tiny-survivor");
        HttpResponse<String> accepted = postJson("/v1/jobs", job.toString(), true);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asText();
        JsonNode before = waitFor(id, j -> j.path("last_checkpoint_step").asLong() >= 10, Duration.ofMinutes(2));
        assertThat(before.get("state").asText()).isEqualTo("RUNNING");

        service.kill();
        service = new ServiceProcess(ServiceProcess.packagedJar(), port, env, root.resolve("service.log"))
                .start(Duration.ofMinutes(3));

        JsonNode after = waitFor(id, j -> j.get("state").asText().equals("SUCCEEDED")
                || j.get("state").asText().equals("FAILED"), Duration.ofMinutes(4));
        assertThat(after.get("state").asText()).as(after.toString()).isEqualTo("SUCCEEDED");
        assertThat(after.get("restarts").asInt()).isEqualTo(1);
        assertThat(after.get("step").asLong()).isEqualTo(after.get("total_steps").asLong()).isEqualTo(300);
        // It went on from a checkpoint, not from scratch: the log of the resumed run says where it started.
        assertThat(after.get("resumed_from_step").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(Files.readString(root.resolve("jobs").resolve(id).resolve("train.log"))).contains("resumed from its checkpoint");
        HttpResponse<String> served = postJson("/v1/text-classification",
                "{\"inputs\": \"the cat sat on the mat\", \"model\": \"tiny-survivor\"}", false);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(JSON.readTree(served.body()).get(0).get("label").asText()).isIn("pos", "neg");
    }

    static JsonNode waitFor(String id, java.util.function.Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode j = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get("/v1/jobs/" + id, true);
            if (r.statusCode() == 200) {
                j = JSON.readTree(r.body());
                if (done.test(j)) {
                    return j;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not get there in " + timeout + ": " + j);
    }
}
