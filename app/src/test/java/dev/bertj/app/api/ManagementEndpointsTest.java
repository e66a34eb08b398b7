package dev.bertj.app.api;

import dev.bertj.app.testing.HeadJar;
import dev.bertj.app.testing.ManagementRoutes;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/** Models, heads and plugins endpoints, with the token rules of management endpoints. */
@QuarkusTest
@QuarkusTestResource(value = ServiceDirs.class, restrictToAnnotatedClass = false)
class ManagementEndpointsTest {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ServiceDirs.TOKEN);
    }

    @Test
    void managementNeedsTheToken() {
        given().get("/v1/plugins").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").get("/v1/plugins").then().statusCode(403)
                .contentType("application/problem+json");
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/v1/plugins").then().statusCode(401);
        admin().get("/v1/plugins").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\": \"tiny-two\"}").post("/v1/models").then().statusCode(401);
        given().delete("/v1/models/tiny").then().statusCode(401);
        given().delete("/v1/plugins/mlm").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{}").post("/v1/jobs").then().statusCode(401);
        given().get("/v1/jobs").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/v1/jobs/x").then().statusCode(403);
        given().delete("/v1/jobs/x").then().statusCode(401);
        given().get("/v1/jobs/x/events").then().statusCode(401);
        // Listing models and heads is not management: the playground needs it.
        given().get("/v1/models").then().statusCode(200);
        given().get("/v1/heads").then().statusCode(200);
    }

    @Test
    void everyManagementEndpointRefusesAMissingOrWrongToken() {
        for (ManagementRoutes.Route route : ManagementRoutes.ALL) {
            route.send(given()).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
            for (String auth : new String[] {"Bearer wrong", "Bearer " + ServiceDirs.TOKEN + "x",
                "Bearer " + ServiceDirs.TOKEN.substring(1), "Bearer " + ServiceDirs.TOKEN.toUpperCase()}) {
                var res = route.send(given().header("Authorization", auth));
                assertThat(res.statusCode()).as(route + " with " + auth).isEqualTo(403);
                assertThat(res.contentType()).as(route + " with " + auth).startsWith("application/problem+json");
            }
        }
    }

    @Test
    void modelsLoadServeAndUnload() {
        given().get("/v1/models").then().statusCode(200).body("id", hasItem("tiny"))
                .body("find { it.id == 'tiny' }.default", equalTo(true))
                .body("find { it.id == 'tiny' }.heads.id", hasItem("mlm"));
        admin().contentType(ContentType.JSON).body("{\"model\": \"tiny-two\"}").post("/v1/models").then()
                .statusCode(201).header("Location", containsString("/v1/models/tiny-two")).body("id", equalTo("tiny-two"))
                .body("hidden_size", equalTo(32));
        admin().contentType(ContentType.JSON).body("{\"model\": \"tiny-two\"}").post("/v1/models").then().statusCode(200);
        given().get("/v1/models/tiny-two").then().statusCode(200).body("heads.id", hasItem("nsp"));
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\", \"model\": \"tiny-two\"}").post("/v1/embed")
                .then().statusCode(200);
        admin().delete("/v1/models/tiny-two").then().statusCode(204);
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\", \"model\": \"tiny-two\"}").post("/v1/embed")
                .then().statusCode(404).body("detail", containsString("tiny-two"));
        admin().delete("/v1/models/tiny-two").then().statusCode(404);
        given().get("/v1/models/tiny-two").then().statusCode(404);
    }

    @Test
    void badModelNamesAndFilesAreRefused() {
        for (String bad : new String[] {"../models", "..", "a/b", "/etc/passwd", ".hidden", "x\\u0000y", ""}) {
            admin().contentType(ContentType.JSON).body("{\"model\": \"" + bad + "\"}").post("/v1/models").then()
                    .statusCode(400).contentType("application/problem+json");
        }
        admin().contentType(ContentType.JSON).body("{}").post("/v1/models").then().statusCode(400);
        admin().contentType(ContentType.JSON).body("{\"model\": \"no-such-model\"}").post("/v1/models").then()
                .statusCode(404).body("detail", containsString("no-such-model"));
        // A corrupt model directory is refused with the reason; the service keeps serving the others.
        admin().contentType(ContentType.JSON).body("{\"model\": \"broken\"}").post("/v1/models").then()
                .statusCode(422).body("detail", containsString("broken"));
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\"}").post("/v1/embed").then().statusCode(200);
        admin().delete("/v1/models/..%2Fetc").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
    }

    @Test
    void aTruncatedModelIsRefusedWithTheReasonAndTheOthersKeepServing() {
        admin().contentType(ContentType.JSON).body("{\"model\": \"truncated\"}").post("/v1/models").then()
                .statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("truncated")).body("detail", containsString("model.safetensors"));
        given().get("/v1/models/truncated").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"inputs\": \"the [MASK] sat\"}").post("/v1/fill-mask").then()
                .statusCode(200);
        // Refused again the same way (nothing half-loaded stayed behind).
        admin().contentType(ContentType.JSON).body("{\"model\": \"truncated\"}").post("/v1/models").then()
                .statusCode(422);
    }

    @Test
    void headsAreListedWithPluginAndState() {
        given().get("/v1/heads").then().statusCode(200)
                .body("find { it.id == 'mlm' }.plugin", equalTo("mlm"))
                .body("find { it.id == 'mlm' }.state", equalTo("active"))
                .body("find { it.id == 'mlm' }.version", equalTo("1.0.0"))
                .body("find { it.id == 'mlm' }.models", hasItem("tiny"))
                .body("find { it.id == 'nsp' }.endpoint", equalTo("/v1/next-sentence"));
    }

    @Test
    void anUploadedHeadAnswersAtOnceAndStopsWhenDeleted() throws Exception {
        Path jar = HeadJar.build(Files.createTempDirectory("jar"), "1.0.0");
        given().contentType(ContentType.JSON).body("{\"text\": \"the cat sat\"}").post("/v1/heads/token-count/predict")
                .then().statusCode(404);
        admin().contentType("application/java-archive").body(Files.readAllBytes(jar)).post("/v1/plugins").then()
                .statusCode(201).body("id", equalTo("token-count")).body("state", equalTo("active"));
        given().contentType(ContentType.JSON).body("{\"text\": \"the cat sat\"}").post("/v1/heads/token-count/predict")
                .then().statusCode(200).body("tokens", equalTo(5)).body("version", equalTo("1.0.0"));
        // Its own errors come back as 422 (IllegalArgumentException) and 400 (wrong shape).
        given().contentType(ContentType.JSON).body("{}").post("/v1/heads/token-count/predict").then().statusCode(422);
        given().contentType(ContentType.JSON).body("{\"text\": 5}").post("/v1/heads/token-count/predict").then()
                .statusCode(400);
        admin().get("/v1/plugins").then().statusCode(200).body("id", hasItem("token-count"));
        given().get("/v1/heads").then().body("find { it.id == 'token-count' }.models", hasItem("tiny"));
        admin().delete("/v1/plugins/token-count").then().statusCode(204);
        given().contentType(ContentType.JSON).body("{\"text\": \"the cat sat\"}").post("/v1/heads/token-count/predict")
                .then().statusCode(404);
        admin().get("/v1/plugins").then().body("id", not(hasItem("token-count")));
        admin().delete("/v1/plugins/token-count").then().statusCode(404);
        // The rest kept answering.
        given().contentType(ContentType.JSON).body("{\"inputs\": \"the [MASK] sat\"}").post("/v1/fill-mask").then()
                .statusCode(200);
    }

    @Test
    void aHeadThatThrowsHangsOrFailsToStartIsIsolated() throws Exception {
        Path failing = HeadJar.build(Files.createTempDirectory("jar"), "3.0.0", true);
        admin().contentType("application/java-archive").body(Files.readAllBytes(failing)).post("/v1/plugins").then()
                .statusCode(422).body("detail", containsString("no licence key configured"));
        given().contentType(ContentType.JSON).body("{\"text\": \"hello\"}").post("/v1/heads/token-count/predict")
                .then().statusCode(404);

        Path jar = HeadJar.build(Files.createTempDirectory("jar"), "3.0.1");
        admin().contentType("application/java-archive").body(Files.readAllBytes(jar)).post("/v1/plugins").then()
                .statusCode(201);
        try {
            given().contentType(ContentType.JSON).body("{\"text\": \"boom\"}").post("/v1/heads/token-count/predict")
                    .then().statusCode(500).contentType("application/problem+json").body("type", containsString("head-failed"))
                    .body("detail", containsString("token-count"));
            long t0 = System.nanoTime();
            given().contentType(ContentType.JSON).body("{\"text\": \"hang\"}").post("/v1/heads/token-count/predict")
                    .then().statusCode(504).contentType("application/problem+json");
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
            // The head itself and everything else keep answering.
            given().contentType(ContentType.JSON).body("{\"text\": \"hello\"}").post("/v1/heads/token-count/predict")
                    .then().statusCode(200);
            given().contentType(ContentType.JSON).body("{\"inputs\": \"the [MASK] sat\"}").post("/v1/fill-mask").then()
                    .statusCode(200);
            admin().get("/v1/plugins").then().body("find { it.id == 'token-count' && it.state == 'active' }.failed_calls",
                    org.hamcrest.Matchers.greaterThanOrEqualTo(2))
                    .body("find { it.id == 'token-count' && it.state == 'active' }.timed_out_calls", equalTo(1));
        } finally {
            admin().delete("/v1/plugins/token-count").then().statusCode(204);
        }
    }

    @Test
    void aModelUnloadedWhileARequestIsInFlightFinishesThatRequest() throws Exception {
        Path jar = HeadJar.build(Files.createTempDirectory("jar"), "4.0.0");
        admin().contentType("application/java-archive").body(Files.readAllBytes(jar)).post("/v1/plugins").then()
                .statusCode(201);
        try {
            admin().contentType(ContentType.JSON).body("{\"model\": \"tiny-two\"}").post("/v1/models").then()
                    .statusCode(org.hamcrest.Matchers.oneOf(200, 201));
            java.util.concurrent.CompletableFuture<Integer> inFlight = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> given().contentType(ContentType.JSON).body("{\"text\": \"slow\"}")
                            .post("/v1/heads/token-count/predict?model=tiny-two").statusCode());
            Thread.sleep(700);
            admin().delete("/v1/models/tiny-two").then().statusCode(204);
            // New requests no longer find it; the one in flight completes on the encoder it started with.
            given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\", \"model\": \"tiny-two\"}")
                    .post("/v1/embed").then().statusCode(404);
            assertThat(inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            admin().delete("/v1/plugins/token-count").then().statusCode(204);
        }
    }

    @Test
    void badUploadsAreRefused() {
        admin().contentType("application/java-archive").body("not a jar".getBytes()).post("/v1/plugins").then()
                .statusCode(422).contentType("application/problem+json");
        admin().contentType("application/java-archive").body(new byte[0]).post("/v1/plugins").then().statusCode(400);
        admin().contentType(ContentType.JSON).body("{}").post("/v1/plugins").then().statusCode(415);
    }

    @Test
    void uploadNamesCannotLeaveThePluginsDirectory() throws Exception {
        Path jar = HeadJar.build(Files.createTempDirectory("jar"), "1.0.1");
        for (String name : new String[] {"../evil.jar", "a/b.jar", ".hidden.jar", "evil.txt"}) {
            admin().contentType("application/java-archive").queryParam("name", name).body(Files.readAllBytes(jar))
                    .post("/v1/plugins").then().statusCode(400);
        }
    }
}
