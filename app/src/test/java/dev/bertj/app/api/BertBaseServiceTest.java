package dev.bertj.app.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.testing.BertBaseProfile;
import dev.bertj.app.testing.Ready;
import dev.bertj.core.service.Bertj;
import dev.bertj.heads.mlm.FillMaskAnswer;
import dev.bertj.heads.mlm.FillMaskPrediction;
import dev.bertj.heads.mlm.FillMaskRequest;
import dev.bertj.heads.nsp.NextSentenceAnswer;
import dev.bertj.heads.nsp.NextSentenceRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * The service on its real default model: fill-mask over HTTP gives the same tokens and scores as core's Java API
 * ({@link Bertj}) on the same model, alone and batched with other requests.
 */
@QuarkusTest
@TestProfile(BertBaseProfile.class)
class BertBaseServiceTest {

    static Bertj java;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TEXTS = List.of("The capital of France is [MASK].", "Hello I'm a [MASK] model.",
            "The man worked as a [MASK].", "The woman worked as a [MASK].", "Paris is the [MASK] of France.",
            "The goal of life is [MASK].", "I [MASK] you so much, [MASK] you.");

    @BeforeAll
    static void javaApi() {
        java = Bertj.load("bert-base-uncased");
    }

    @AfterAll
    static void close() {
        java.close();
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void theDefaultModelIsBertBaseWithItsMaskedLmHead() {
        given().get("/v1/models").then().statusCode(200).body("find { it.default }.id", equalTo("bert-base-uncased"))
                .body("find { it.default }.hidden_size", equalTo(768))
                .body("find { it.default }.heads.id", hasItem("mlm"))
                .body("find { it.default }.heads.id", hasItem("nsp"));
    }

    @Test
    void nextSentenceOverHttpEqualsTheJavaApi() throws Exception {
        String[][] pairs = {{"The man went to the store.", "He bought a gallon of milk."},
            {"The man went to the store.", "Penguins are flightless birds."}};
        for (String[] p : pairs) {
            String body = JSON.writeValueAsString(Map.of("text_a", p[0], "text_b", p[1]));
            Map<?, ?> http = JSON.readValue(given().contentType(ContentType.JSON).body(body).post("/v1/next-sentence")
                    .then().statusCode(200).extract().asString(), Map.class);
            NextSentenceAnswer expected = java.predict("nsp", new NextSentenceRequest(p[0], p[1]));
            assertThat(((Number) http.get("is_next")).doubleValue()).isCloseTo(expected.isNext(),
                    org.assertj.core.data.Offset.offset(1e-5));
            assertThat(((Number) http.get("not_next")).doubleValue()).isCloseTo(expected.notNext(),
                    org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void fillMaskOverHttpEqualsTheJavaApi() throws Exception {
        for (String text : TEXTS) {
            String body = JSON.writeValueAsString(Map.of("inputs", text, "top_k", 5));
            String http = given().contentType(ContentType.JSON).body(body).post("/v1/fill-mask").then().statusCode(200)
                    .extract().asString();
            FillMaskAnswer expected = java.predict("mlm", new FillMaskRequest(text, 5, null));
            assertSame(text, expected, http, 1e-5);
        }
    }

    @Test
    void aBatchOfInputsEqualsEachAlone() throws Exception {
        String body = JSON.writeValueAsString(Map.of("inputs", TEXTS, "top_k", 3));
        List<?> answers = JSON.readValue(given().contentType(ContentType.JSON).body(body).post("/v1/fill-mask").then()
                .statusCode(200).extract().asString(), List.class);
        assertThat(answers).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            FillMaskAnswer expected = java.predict("mlm", new FillMaskRequest(TEXTS.get(i), 3, null));
            // Padded to the batch's longest text, a text goes through differently blocked GEMMs: float32 noise only.
            assertSame(TEXTS.get(i), expected, JSON.writeValueAsString(answers.get(i)), 1e-4);
        }
    }

    @Test
    void targetsScoreOnlyTheGivenWords() throws Exception {
        String text = "The capital of France is [MASK].";
        String body = JSON.writeValueAsString(Map.of("inputs", text, "targets", List.of("paris", "london")));
        String http = given().contentType(ContentType.JSON).body(body).post("/v1/fill-mask").then().statusCode(200)
                .extract().asString();
        assertSame(text, java.predict("mlm", new FillMaskRequest(text, 5, List.of("paris", "london"))), http, 1e-5);
    }

    /** Same tokens in the same order, scores within {@code tolerance}. */
    static void assertSame(String text, FillMaskAnswer expected, String httpJson, double tolerance) throws Exception {
        Object got = JSON.readValue(httpJson, Object.class);
        List<List<FillMaskPrediction>> masks = expected.masks();
        List<?> perMask = masks.size() == 1 ? List.of(got) : (List<?>) got;
        assertThat(perMask).as(text).hasSize(masks.size());
        for (int m = 0; m < masks.size(); m++) {
            List<?> predictions = (List<?>) perMask.get(m);
            assertThat(predictions).as(text).hasSize(masks.get(m).size());
            for (int k = 0; k < predictions.size(); k++) {
                Map<?, ?> p = (Map<?, ?>) predictions.get(k);
                FillMaskPrediction e = masks.get(m).get(k);
                assertThat(p.get("token")).as(text).isEqualTo(e.token());
                assertThat(p.get("token_str")).as(text).isEqualTo(e.tokenStr());
                assertThat(p.get("sequence")).as(text).isEqualTo(e.sequence());
                assertThat(((Number) p.get("score")).doubleValue()).as(text)
                        .isCloseTo(e.score(), org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }
}
