package dev.bertj.app.api;

import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

/** The inference endpoints' shapes and every error code, on the tiny model. */
@QuarkusTest
@QuarkusTestResource(value = ServiceDirs.class, restrictToAnnotatedClass = false)
class InferenceEndpointsTest {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static io.restassured.specification.RequestSpecification json(String body) {
        return given().contentType(ContentType.JSON).body(body);
    }

    // ---- shapes ---------------------------------------------------------------------------------------------

    @Test
    void embedAnswersOneUnitVectorPerInput() {
        List<List<Float>> vectors = json("{\"inputs\": [\"the cat sat\", \"hello world\"]}").post("/v1/embed")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(vectors).hasSize(2);
        for (List<Float> v : vectors) {
            assertThat(v).hasSize(32);
            double norm = 0;
            for (Number x : v) {
                norm += x.doubleValue() * x.doubleValue();
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        // A single string gives the same TEI shape: a list of one vector.
        json("{\"inputs\": \"the cat sat\", \"pooling\": \"cls\", \"normalize\": false}").post("/v1/embed")
                .then().statusCode(200).body("$", hasSize(1)).body("[0]", hasSize(32));
        json("{\"inputs\": \"the cat sat\", \"pooling\": \"pooler\"}").post("/v1/embed")
                .then().statusCode(200).body("[0]", hasSize(32));
    }

    @Test
    void embedOfOneTextIsTheSameAloneAndInABatch() {
        List<Float> alone = json("{\"inputs\": \"where is paris\"}").post("/v1/embed").then().statusCode(200)
                .extract().jsonPath().getList("[0]", Float.class);
        List<Float> batched = json("{\"inputs\": [\"a cat\", \"where is paris\", \"the dog sat on the mat\"]}")
                .post("/v1/embed").then().statusCode(200).extract().jsonPath().getList("[1]", Float.class);
        for (int i = 0; i < alone.size(); i++) {
            assertThat(batched.get(i)).isCloseTo(alone.get(i), org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void fillMaskAnswersInTheHuggingFaceShape() {
        json("{\"inputs\": \"the cat sat on the [MASK].\", \"top_k\": 3}").post("/v1/fill-mask").then()
                .statusCode(200).body("$", hasSize(3))
                .body("[0]", hasKey("score")).body("[0]", hasKey("token")).body("[0]", hasKey("token_str"))
                .body("[0].sequence", startsWith("the cat sat on the"));
        // A list of inputs: a list per input; two masks in one input: a list per mask.
        json("{\"inputs\": [\"the [MASK] sat\", \"[MASK] cat [MASK]\"], \"top_k\": 2}").post("/v1/fill-mask").then()
                .statusCode(200).body("$", hasSize(2)).body("[0]", hasSize(2)).body("[1]", hasSize(2))
                .body("[1][0]", hasSize(2)).body("[1][1][0]", hasKey("token_str"));
        json("{\"inputs\": \"the [MASK] sat\", \"targets\": [\"cat\", \"dog\"]}").post("/v1/fill-mask").then()
                .statusCode(200).body("$", hasSize(2)).body("token_str", everyItem(org.hamcrest.Matchers.in(
                        List.of("cat", "dog"))));
    }

    @Test
    void nextSentenceAnswersTwoProbabilities() {
        var body = json("{\"text_a\": \"the cat sat.\", \"text_b\": \"the dog sat.\"}").post("/v1/next-sentence")
                .then().statusCode(200).extract().jsonPath();
        assertThat(body.getDouble("is_next") + body.getDouble("not_next")).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void questionAnsweringAnswersASpanOfTheContext() {
        String context = "bert lives in paris.";
        var one = json("{\"question\": \"where does bert live?\", \"context\": \"" + context + "\"}")
                .post("/v1/question-answering").then().statusCode(200).extract().jsonPath();
        int start = one.getInt("start");
        int end = one.getInt("end");
        assertThat(context.substring(start, end)).isEqualTo(one.getString("answer"));
        assertThat(one.getDouble("score")).isBetween(0.0, 1.0);
        json("{\"question\": \"where?\", \"context\": \"" + context + "\", \"top_k\": 3}")
                .post("/v1/question-answering").then().statusCode(200).body("$", hasSize(3)).body("[2]", hasKey("answer"));
        // The window settings belong to the head: restating them is fine, changing them is refused.
        json("{\"question\": \"where?\", \"context\": \"x\", \"doc_stride\": 16}").post("/v1/question-answering")
                .then().statusCode(200);
        problem(json("{\"question\": \"where?\", \"context\": \"x\", \"doc_stride\": 128}")
                .post("/v1/question-answering"), 422, "doc_stride");
        problem(json("{\"question\": \" \", \"context\": \"x\"}").post("/v1/question-answering"), 422, "blank");
        problem(json("{\"question\": \"q\"}").post("/v1/question-answering"), 400, "context");
        problem(json("{\"question\": \"q\", \"context\": \"c\", \"top_k\": 1000}").post("/v1/question-answering"),
                422, "top_k");
    }

    @Test
    void textClassificationAnswersLabelsWithScores() {
        json("{\"inputs\": \"the cat sat\"}").post("/v1/text-classification").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].label", org.hamcrest.Matchers.in(List.of("pos", "neg")))
                .body("[0]", hasKey("score"));
        json("{\"inputs\": \"the cat sat\", \"top_k\": 2}").post("/v1/text-classification").then().statusCode(200)
                .body("label", org.hamcrest.Matchers.containsInAnyOrder("pos", "neg"));
        // A list of inputs: the best label of each, as the HF pipeline answers.
        json("{\"inputs\": [\"the cat sat\", \"where is paris?\"]}").post("/v1/text-classification").then()
                .statusCode(200).body("$", hasSize(2)).body("[1]", hasKey("label"));
        json("{\"inputs\": \"the cat\", \"text_pair\": \"the dog\"}").post("/v1/text-classification").then()
                .statusCode(200);
        problem(json("{\"inputs\": \"a\", \"top_k\": 0}").post("/v1/text-classification"), 422, "top_k");
    }

    @Test
    void translationIsCheckedAndAnswers404WithoutAHead() {
        problem(json("{\"inputs\": \"hello\"}").post("/v1/translation"), 404, "translation");
        problem(json("{\"inputs\": \"hello\", \"num_beams\": 0}").post("/v1/translation"), 422, "num_beams");
        problem(json("{\"inputs\": \"hello\", \"max_length\": 100000}").post("/v1/translation"), 422, "max_length");
        problem(json("{\"inputs\": 3}").post("/v1/translation"), 400, "inputs");
    }

    @Test
    void aModelCanBeNamed() {
        json("{\"inputs\": \"hello\", \"model\": \"tiny\"}").post("/v1/embed").then().statusCode(200);
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    static void problem(io.restassured.response.Response r, int status, String detailPart) {
        r.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("title", org.hamcrest.Matchers.notNullValue())
                .body("detail", containsString(detailPart));
    }

    @Test
    void malformedJsonIs400() {
        problem(json("{\"inputs\": ").post("/v1/embed"), 400, "");
        problem(json("not json").post("/v1/fill-mask"), 400, "");
        problem(json("").post("/v1/embed"), 400, "JSON");
        problem(json("[1, 2]").post("/v1/embed"), 400, "");
        problem(json("{\"inputs\": \"a\"} trailing").post("/v1/embed"), 400, "");
        problem(json("{\"inputs\": \"a\", \"inputs\": \"b\"}").post("/v1/embed"), 400, "inputs");
    }

    @Test
    void wrongTypesAre400NamingTheField() {
        problem(json("{\"inputs\": 5}").post("/v1/embed"), 400, "inputs");
        problem(json("{\"inputs\": [\"a\", 3]}").post("/v1/embed"), 400, "item 1");
        problem(json("{\"inputs\": {\"a\": 1}}").post("/v1/fill-mask"), 400, "inputs");
        problem(json("{\"inputs\": \"a [MASK]\", \"top_k\": \"5\"}").post("/v1/fill-mask"), 400, "top_k");
        problem(json("{\"inputs\": \"a [MASK]\", \"top_k\": 2.5}").post("/v1/fill-mask"), 400, "top_k");
        problem(json("{\"inputs\": \"a\", \"normalize\": \"yes\"}").post("/v1/embed"), 400, "normalize");
        problem(json("{\"text_a\": 1, \"text_b\": \"b\"}").post("/v1/next-sentence"), 400, "text_a");
        problem(json("{\"inputs\": \"a\", \"model\": 7}").post("/v1/embed"), 400, "model");
    }

    @Test
    void missingAndUnknownFieldsAre400() {
        problem(json("{}").post("/v1/embed"), 400, "inputs");
        problem(json("{\"inputs\": null}").post("/v1/fill-mask"), 400, "inputs");
        problem(json("{\"text_a\": \"a\"}").post("/v1/next-sentence"), 400, "text_b");
        problem(json("{\"inputs\": \"a\", \"topk\": 3}").post("/v1/embed"), 400, "topk");
    }

    @Test
    void deepNestingIs400() {
        problem(json("{\"inputs\": " + "[".repeat(5000) + "]".repeat(5000) + "}").post("/v1/embed"), 400, "");
    }

    @Test
    void unpairedSurrogatesAre400() {
        problem(json("{\"inputs\": \"a \\ud800 b\"}").post("/v1/embed"), 400, "surrogate");
    }

    @Test
    void invalidUtf8Is400() {
        byte[] body = {'{', '"', 'i', 'n', 'p', 'u', 't', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        problem(given().contentType(ContentType.JSON).body(body).post("/v1/embed"), 400, "");
    }

    @Test
    void unknownModelAndHeadAre404() {
        problem(json("{\"inputs\": \"a\", \"model\": \"nope\"}").post("/v1/embed"), 404, "nope");
        problem(json("{\"inputs\": \"a\", \"model\": \"../etc\"}").post("/v1/embed"), 400, "model");
        problem(json("{\"inputs\": \"a\", \"model\": \"tiny-two\"}").post("/v1/translation"), 404, "tiny-two");
        problem(json("{\"inputs\": \"a\"}").post("/v1/heads/nothing/predict"), 404, "nothing");
        problem(given().get("/v1/no-such-endpoint"), 404, "");
    }

    @Test
    void wrongMethodAndMediaTypeAreProblems() {
        problem(given().get("/v1/embed"), 405, "");
        problem(given().contentType(ContentType.TEXT).body("hello").post("/v1/embed"), 415, "");
    }

    @Test
    void tooLargeIs413() {
        String big = "a ".repeat(600_000);
        problem(json("{\"inputs\": \"" + big + "\"}").post("/v1/embed"), 413, "bytes");
        String longText = "a".repeat(100_001);
        problem(json("{\"inputs\": \"" + longText + "\"}").post("/v1/embed"), 413, "characters");
        problem(json("{\"inputs\": [" + "\"a\",".repeat(300) + "\"a\"]}").post("/v1/embed"), 413, "texts");
    }

    @Test
    void unusableInputIs422() {
        problem(json("{\"inputs\": \"no mask here\"}").post("/v1/fill-mask"), 422, "[MASK]");
        problem(json("{\"inputs\": \"a [MASK]\", \"top_k\": 0}").post("/v1/fill-mask"), 422, "top_k");
        problem(json("{\"inputs\": \"a [MASK]\", \"top_k\": -1}").post("/v1/fill-mask"), 422, "top_k");
        problem(json("{\"inputs\": \"a [MASK]\", \"top_k\": 1000000000}").post("/v1/fill-mask"), 422, "top_k");
        problem(json("{\"inputs\": []}").post("/v1/embed"), 422, "empty");
        problem(json("{\"inputs\": \"a\", \"pooling\": \"max\"}").post("/v1/embed"), 422, "pooling");
        String tooManyTokens = "a ".repeat(600);
        problem(json("{\"inputs\": \"" + tooManyTokens + "\"}").post("/v1/embed"), 422, "tokens");
        json("{\"inputs\": \"" + tooManyTokens + "\", \"truncate\": true}").post("/v1/embed").then().statusCode(200);
    }
}
