package dev.bertj.app.api;

import dev.bertj.app.testing.BertBaseProfile;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground page in headless Chromium (Debian's {@code chromium}, driven by {@code playwright-core} from
 * {@code src/test/playwright}): it fills a mask with bert-base-uncased and answers a question with the tiny model's
 * QA head, shows exactly what the API answers, and leaves screenshots in {@code target/playground-screenshots}.
 */
@QuarkusTest
@TestProfile(BertBaseProfile.class)
class PlaygroundBrowserTest {

    static final Path SCRIPTS = Path.of("src/test/playwright");
    static final Path SCREENSHOTS = Path.of("target/playground-screenshots");

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void fillsAMaskAndAnswersAQuestionInChromium() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("Chromium is needed: apt-get install -y chromium").exists();
        installPlaywright();
        given().header("Authorization", "Bearer " + ServiceDirs.TOKEN).contentType(ContentType.JSON)
                .body("{\"model\": \"tiny\"}").post("/v1/models").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        Files.createDirectories(SCREENSHOTS);
        String url = base.toString().replaceAll("/$", "");
        Result r = run(List.of("node", "playground.mjs", url, SCREENSHOTS.toAbsolutePath().toString(),
                "bert-base-uncased", "tiny"), 300);
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("\"fillMask\":[\"paris\"").contains("\"qaAnswer\"");
        for (String shot : List.of("fill-mask.png", "question-answering.png")) {
            byte[] png = Files.readAllBytes(SCREENSHOTS.resolve(shot));
            assertThat(png.length).as(shot).isGreaterThan(10_000);
            assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }

    /** {@code npm ci} once, from the committed package-lock.json. */
    static void installPlaywright() throws IOException, InterruptedException {
        if (Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))) {
            return;
        }
        Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        assertThat(r.exit).as("npm ci in " + SCRIPTS + ": " + r.output).isZero();
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("playground", ".log");
        Process p = new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, "timed out after " + timeoutSeconds + " s: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
