package dev.bertj.app.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/** Fine-tuning jobs over HTTP: accepted, followed over SSE, served when done, cancelled, refused, resumed. */
@QuarkusTest
@QuarkusTestResource(value = ServiceDirs.class, restrictToAnnotatedClass = false)
class JobsEndpointsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ServiceDirs.TOKEN);
    }

    static ObjectNode job(int epochs) {
        ObjectNode j = JSON.createObjectNode();
        j.put("head", "classification").put("model", "tiny").put("train_text", ServiceDirs.trainingTsv(2))
                .put("train_name", "train.tsv").put("epochs", epochs).put("batch", 4).put("max_length", 16)
                .put("lr", 0.01).put("checkpoint_every", 2).put("freeze_encoder", true);
        return j;
    }

    static String submit(ObjectNode body) {
        return admin().contentType(ContentType.JSON).body(body.toString()).post("/v1/jobs").then().statusCode(202)
                .body("state", equalTo("QUEUED")).extract().path("id");
    }

    /** The events of a job as (name, data) pairs, read until the server closes the stream. */
    static List<String[]> events(String id) {
        String stream = admin().get("/v1/jobs/" + id + "/events").then().statusCode(200)
                .contentType(containsString("text/event-stream")).extract().asString();
        List<String[]> out = new ArrayList<>();
        String name = null;
        for (String line : stream.split("\n")) {
            if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                out.add(new String[] {name, line.substring(5).trim()});
            }
        }
        return out;
    }

    @Test
    void aJobReportsProgressOverSseAndItsModelServes() {
        String id = submit(job(2));
        List<String[]> events = events(id);
        List<String> names = events.stream().map(e -> e[0]).toList();
        assertThat(names).contains("state", "step", "checkpoint");
        String last = events.get(events.size() - 1)[1];
        assertThat(JsonPath.from(last).getString("state")).isEqualTo("SUCCEEDED");
        String firstStep = events.stream().filter(e -> e[0].equals("step")).findFirst().orElseThrow()[1];
        assertThat(JsonPath.from(firstStep).getLong("total_steps")).isEqualTo(6);
        JsonPath job = admin().get("/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(job.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(job.getLong("step")).isEqualTo(6);
        assertThat(job.getDouble("progress")).isEqualTo(1.0);
        assertThat(job.getString("request.train_text")).isNull();
        String out = job.getString("out");
        given().contentType(ContentType.JSON).body("{\"inputs\": [\"the cat sat\", \"where is paris?\"], \"model\": \"" + out
                + "\"}").post("/v1/text-classification").then().statusCode(200).body("$", hasSize(2))
                .body("[0].label", org.hamcrest.Matchers.in(List.of("pos", "neg")));
        admin().get("/v1/jobs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
    }

    @Test
    void aJobCanBeCancelled() throws InterruptedException {
        String id = submit(job(500));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!admin().get("/v1/jobs/" + id).path("state").equals("RUNNING") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        admin().delete("/v1/jobs/" + id).then().statusCode(202);
        List<String[]> events = events(id);
        assertThat(JsonPath.from(events.get(events.size() - 1)[1]).getString("state")).isEqualTo("CANCELLED");
        admin().delete("/v1/jobs/" + id).then().statusCode(409);
        admin().delete("/v1/jobs/job-000000000099").then().statusCode(404);
        admin().get("/v1/jobs/job-000000000099").then().statusCode(404);
        admin().get("/v1/jobs/..%2F..").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
    }

    @Test
    void badJobsAreRefusedBeforeAnythingRuns() {
        ObjectNode noHead = job(1);
        noHead.remove("head");
        post(noHead).then().statusCode(400).body("detail", containsString("head"));
        post(job(1).put("head", "no-such-head")).then().statusCode(404);
        post(job(1).put("model", "no-such-model")).then().statusCode(404);
        post(job(1).put("train", "x.tsv")).then().statusCode(400).body("detail", containsString("exactly one"));
        ObjectNode traversal = job(1);
        traversal.remove("train_text");
        post(traversal.put("train", "../../etc/passwd")).then().statusCode(400);
        ObjectNode missing = job(1);
        missing.remove("train_text");
        post(missing.put("train", "missing.tsv")).then().statusCode(404);
        post(job(1).put("lr", 5.0)).then().statusCode(422).body("detail", containsString("lr"));
        post(job(1).put("batch", 0)).then().statusCode(422).body("detail", containsString("batch"));
        post(job(1).put("type", "pretrain")).then().statusCode(400).body("detail", containsString("corpus"));
        post(pretraining().put("config", "/etc/passwd")).then().statusCode(422).body("detail", containsString("config"));
        ObjectNode noSteps = pretraining();
        noSteps.remove("steps");
        post(noSteps).then().statusCode(422).body("detail", containsString("steps"));
        post(pretraining().put("from", "tiny")).then().statusCode(422).body("detail", containsString("config"));
        post(pretraining().put("corpus", "../corpus.txt")).then().statusCode(400);
        post(job(1).put("type", "distill")).then().statusCode(422);
        post(job(1).put("out", "../escape")).then().statusCode(400);
        post(job(1).put("out", "tiny")).then().statusCode(409);
        post(job(1).put("epochs", "two")).then().statusCode(400).body("detail", containsString("epochs"));
        post(job(1).put("train_name", "../t.tsv")).then().statusCode(400);
    }

    /** A pre-training job from scratch on a few documents (Google's format: blank lines between documents). */
    static ObjectNode pretraining() {
        StringBuilder corpus = new StringBuilder();
        String[] sentences = {"The cat sat on the mat.", "The dog chased the cat.", "Paris is the capital of France.",
            "Berlin is the capital of Germany.", "The sun rises in the east.", "Birds fly south in winter."};
        for (int d = 0; d < 6; d++) {
            for (int i = 0; i < 4; i++) {
                corpus.append(sentences[(d + i) % sentences.length]).append('\n');
            }
            corpus.append('\n');
        }
        ObjectNode j = JSON.createObjectNode();
        j.put("type", "pretrain").put("corpus_text", corpus.toString()).put("config", "tiny").put("train_vocab", 100)
                .put("steps", 6).put("batch", 4).put("seq", 32).put("max_predictions", 5).put("checkpoint_every", 3)
                .put("dupe_factor", 2).put("log_every", 1).put("adam", "torch").put("lr", 1e-3);
        return j;
    }

    @Test
    void aPretrainingJobMakesAModelWithBothHeads() {
        String id = submit(pretraining());
        List<String[]> events = events(id);
        assertThat(JsonPath.from(events.get(events.size() - 1)[1]).getString("state")).isEqualTo("SUCCEEDED");
        assertThat(events.stream().map(e -> e[0])).contains("step", "checkpoint");
        String out = admin().get("/v1/jobs/" + id).then().statusCode(200).body("type", equalTo("pretrain"))
                .body("step", equalTo(6)).extract().path("out");
        given().get("/v1/models/" + out).then().statusCode(200).body("heads.id", org.hamcrest.Matchers.hasItems("mlm", "nsp"));
        given().contentType(ContentType.JSON).body("{\"inputs\": \"the cat sat on the [MASK].\", \"model\": \"" + out
                + "\"}").post("/v1/fill-mask").then().statusCode(200).body("$", hasSize(5));
    }

    static io.restassured.response.Response post(ObjectNode body) {
        return admin().contentType(ContentType.JSON).body(body.toString()).post("/v1/jobs");
    }

    @Test
    void jobsInterruptedByARestartResumeOrFailWithTheirReason() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        JsonPath resumed;
        do {
            Thread.sleep(100);
            resumed = admin().get("/v1/jobs/job-000000000001").then().statusCode(200).extract().jsonPath();
        } while (!resumed.getString("state").equals("SUCCEEDED") && !resumed.getString("state").equals("FAILED")
                && System.currentTimeMillis() < deadline);
        assertThat(resumed.getString("state")).as(resumed.prettify()).isEqualTo("SUCCEEDED");
        assertThat(resumed.getInt("restarts")).isEqualTo(1);
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\", \"model\": \"resumed-after-restart\"}")
                .post("/v1/text-classification").then().statusCode(200);
        JsonPath failed = admin().get("/v1/jobs/job-000000000002").then().statusCode(200).extract().jsonPath();
        while (!failed.getString("state").equals("FAILED") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            failed = admin().get("/v1/jobs/job-000000000002").then().extract().jsonPath();
        }
        assertThat(failed.getString("state")).isEqualTo("FAILED");
        assertThat(failed.getString("reason")).contains("model-that-was-deleted");
    }
}
