package dev.bertj.app.api;

import dev.bertj.app.testing.ProtectedInferenceProfile;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inference behind the token (bertj.auth.protect-inference); health, metrics and the page stay open. Nothing a
 * client sends, token or text, reaches the log, on success or failure.
 */
@QuarkusTest
@TestProfile(ProtectedInferenceProfile.class)
class ProtectedInferenceTest {

    @BeforeEach
    void ready() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (RestAssured.get("/q/health/ready").statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }

    @Test
    void inferenceNeedsTheTokenWhenProtected() {
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\"}").post("/v1/embed").then().statusCode(401);
        given().header("Authorization", "Bearer nope").contentType(ContentType.JSON).body("{\"inputs\": \"hello\"}")
                .post("/v1/embed").then().statusCode(403);
        given().header("Authorization", "Bearer " + ServiceDirs.TOKEN).contentType(ContentType.JSON)
                .body("{\"inputs\": \"hello\"}").post("/v1/embed").then().statusCode(200);
        given().get("/v1/models").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"inputs\": \"the [MASK]\"}").post("/v1/fill-mask").then()
                .statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/").then().statusCode(200);
    }

    @Test
    void neitherTokensNorTextsAreLogged() {
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(String.valueOf(r.getMessage()) + " " + java.util.Arrays.toString(r.getParameters())
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        String secretText = "zebra-quokka-secret-phrase";
        try {
            String[] bodies = {"{\"inputs\": \"" + secretText + " [MASK]\"}", "{\"inputs\": \"" + secretText + "\"}",
                    "{\"inputs\": [\"" + secretText + "\", 7]}", "{\"inputs\": \"" + secretText + "\", \"top_k\": 0}"};
            for (String token : new String[] {ServiceDirs.TOKEN, "wrong-" + secretText}) {
                for (String body : bodies) {
                    for (String path : new String[] {"/v1/fill-mask", "/v1/embed", "/v1/next-sentence"}) {
                        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                                .post(path);
                    }
                }
                given().header("Authorization", "Bearer " + token).get("/v1/plugins");
            }
        } finally {
            root.removeHandler(capture);
        }
        assertThat(logged).noneMatch(l -> l.contains(secretText)).noneMatch(l -> l.contains(ServiceDirs.TOKEN));
    }
}
