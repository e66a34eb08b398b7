package dev.bertj.app.api;

import dev.bertj.app.testing.HeadJar;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No token and no request text reach the log: every record the service logs while it is sent secret-looking
 * texts (accepted, refused by the service, refused by a head, breaking a head, in a failing job's data and in model
 * names) and secret-looking tokens (wrong ones, and the right one) is captured, with its parameters and its
 * exceptions' messages, and searched. The service's own loggers are opened to every level for the test, so a
 * debug line would be caught too.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceDirs.class, restrictToAnnotatedClass = false)
class LogSecrecyTest {

    static final String TEXT = "SECRETTEXT4f9a1c";
    static final String TOKEN = "SECRETTOKEN7d2e9b";

    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final List<Logger> opened = new ArrayList<>();
    final List<Level> levels = new ArrayList<>();

    @BeforeEach
    void capture() {
        Ready.await();
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        for (String name : new String[] {"dev.bertj", "dev.bertj.plugins.PluginRuntime"}) {
            Logger l = Logger.getLogger(name);
            opened.add(l);
            levels.add(l.getLevel());
            l.setLevel(Level.ALL);
        }
    }

    @AfterEach
    void release() {
        Logger.getLogger("").removeHandler(capture);
        for (int i = 0; i < opened.size(); i++) {
            opened.get(i).setLevel(levels.get(i));
        }
    }

    static io.restassured.specification.RequestSpecification json(String body) {
        return given().contentType(ContentType.JSON).body(body);
    }

    @Test
    void neitherTokensNorRequestTextAppearInTheLog() throws Exception {
        String t = "the cat sat " + TEXT;
        // Accepted requests.
        json("{\"inputs\": \"" + t + "\"}").post("/v1/embed").then().statusCode(200);
        json("{\"inputs\": \"" + t + " [MASK]\"}").post("/v1/fill-mask").then().statusCode(200);
        json("{\"text_a\": \"" + t + "\", \"text_b\": \"" + TEXT + "\"}").post("/v1/next-sentence").then().statusCode(200);
        json("{\"question\": \"" + t + "?\", \"context\": \"" + t + "\"}").post("/v1/question-answering").then()
                .statusCode(200);
        json("{\"inputs\": \"" + t + "\"}").post("/v1/text-classification").then().statusCode(200);
        // Refused by the service, and by a head (its message quotes the text: "no [MASK] ... '...'").
        json("{\"inputs\": \"" + t + "\", \"extra_" + TEXT + "\": 1}").post("/v1/embed").then().statusCode(400);
        json("{\"inputs\": \"" + t + "\", \"top_k\": \"" + TEXT + "\"}").post("/v1/fill-mask").then().statusCode(400);
        json("{\"inputs\": \"" + t + "\"}").post("/v1/fill-mask").then().statusCode(422);
        json("{\"text\": \"" + t + "\", \"topK\": 5}").post("/v1/heads/mlm/predict").then().statusCode(422);
        json("{\"inputs\": \"" + t + "\", \"model\": \"" + TEXT + "\"}").post("/v1/embed").then().statusCode(404);
        json("{\"inputs\": \"" + t + " " + "x".repeat(120_000) + "\"}").post("/v1/embed").then().statusCode(413);
        // Tokens: missing, wrong (secret-looking), and the right one.
        given().header("Authorization", "Bearer " + TOKEN).get("/v1/plugins").then().statusCode(403);
        given().header("Authorization", "Basic " + TOKEN).get("/v1/jobs").then().statusCode(401);
        given().header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON)
                .body("{\"model\": \"" + TEXT + "\"}").post("/v1/models").then().statusCode(403);
        admin().contentType(ContentType.JSON).body("{\"model\": \"" + TEXT + "\"}").post("/v1/models").then()
                .statusCode(404);
        admin().contentType(ContentType.JSON).body("{\"model\": \"../" + TEXT + "\"}").post("/v1/models").then()
                .statusCode(400);
        // A job whose inline data is unusable: it fails (now or when it runs) with its reason in its record.
        String id = admin().contentType(ContentType.JSON).body("{\"head\": \"classification\", \"model\": \"tiny\","
                        + " \"train_text\": \"sentence\\tlabel\\n" + TEXT + "\\n" + TEXT + " " + TEXT + "\\n\","
                        + " \"train_name\": \"train.tsv\", \"epochs\": 1, \"batch\": 2, \"max_length\": 16}")
                .post("/v1/jobs").then().extract().path("id");
        if (id != null) {
            long deadline = System.currentTimeMillis() + 60_000;
            String state;
            do {
                Thread.sleep(100);
                state = admin().get("/v1/jobs/" + id).path("state");
            } while (!List.of("FAILED", "SUCCEEDED", "CANCELLED").contains(state)
                    && System.currentTimeMillis() < deadline);
            assertThat(state).isEqualTo("FAILED");
        }
        // A head that throws (500) and one that hangs (504), called with secret text.
        Path jar = HeadJar.build(Files.createTempDirectory("jar"), "5.0.0");
        admin().contentType("application/java-archive").body(Files.readAllBytes(jar)).post("/v1/plugins").then()
                .statusCode(201);
        try {
            json("{\"text\": \"boom\"}").post("/v1/heads/token-count/predict").then().statusCode(500);
            json("{\"text\": \"" + t + "\"}").post("/v1/heads/token-count/predict").then().statusCode(200);
            json("{\"text\": \"" + t + "\", \"extra\": \"" + TEXT + "\"}").post("/v1/heads/token-count/predict")
                    .then().statusCode(400);
        } finally {
            admin().delete("/v1/plugins/token-count").then().statusCode(204);
        }

        assertThat(records).as("the test saw the service log something").isNotEmpty();
        List<String> leaks = new ArrayList<>();
        for (LogRecord r : records) {
            String all = everything(r);
            if (all.contains(TEXT) || all.contains(TOKEN) || all.contains(ServiceDirs.TOKEN)) {
                leaks.add(r.getLevel() + " " + r.getLoggerName() + ": " + all);
            }
        }
        assertThat(leaks).isEmpty();
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ServiceDirs.TOKEN);
    }

    /** The message, its parameters, and every exception's message and string form in the chain. */
    static String everything(LogRecord r) {
        StringBuilder s = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
                s.append(" | ").append(p);
            }
        }
        for (Throwable t = r.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            s.append(" | ").append(t).append(" | ").append(t.getMessage());
            for (Throwable suppressed : t.getSuppressed()) {
                s.append(" | ").append(suppressed);
            }
        }
        return s.toString();
    }
}
