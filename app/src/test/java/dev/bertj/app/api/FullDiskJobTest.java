package dev.bertj.app.api;

import dev.bertj.app.testing.FullDiskProfile;
import dev.bertj.app.testing.Ready;
import dev.bertj.app.testing.ServiceDirs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk under a fine-tuning job: the models directory, where the job writes its output and checkpoints,
 * is a tmpfs (mounted by {@link dev.bertj.app.testing.ServiceDirs} for this profile; needs root), filled by the
 * test before the job starts. The kernel answers ENOSPC (or the checkpoint's free-space check refuses first): the
 * job ends FAILED with a reason naming the disk, no half-written checkpoint is left as a checkpoint, and the
 * service keeps serving.
 */
@QuarkusTest
@TestProfile(FullDiskProfile.class)
class FullDiskJobTest {

    @ConfigProperty(name = "bertj.dirs.models")
    String modelsDir;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static boolean isTmpfs(Path dir) throws Exception {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(l -> l.startsWith("tmpfs " + dir.toAbsolutePath() + " "));
    }

    @Test
    void aCheckpointOnAFullDiskFailsTheJobCleanly() throws Exception {
        Path models = Path.of(modelsDir);
        assumeTrue(isTmpfs(models), "the models directory is not a tmpfs (mounting needs root)");
        // Let the job that startup resumed (ServiceDirs' interrupted job) end first: it writes here too.
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && admin().get("/v1/jobs").jsonPath()
                .getList("state", String.class).stream().anyMatch(s -> s.equals("RUNNING") || s.equals("QUEUED"))) {
            Thread.sleep(200);
        }
        Path filler = models.resolve("filler");
        long leave = 48 * 1024;
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[64 * 1024];
            while (Files.getFileStore(models).getUsableSpace() > leave + block.length) {
                out.write(block);
            }
        }
        try {
            String id = admin().contentType(ContentType.JSON).body("{\"head\": \"classification\", \"model\": \"tiny\","
                            + " \"train_text\": " + new com.fasterxml.jackson.databind.ObjectMapper()
                            .writeValueAsString(ServiceDirs.trainingTsv(2)) + ", \"train_name\": \"train.tsv\","
                            + " \"epochs\": 1, \"batch\": 4, \"max_length\": 16, \"checkpoint_every\": 1,"
                            + " \"out\": \"full-disk-out\"}")
                    .post("/v1/jobs").then().statusCode(202).extract().path("id");
            JsonPath job;
            deadline = System.currentTimeMillis() + 120_000;
            do {
                Thread.sleep(100);
                job = admin().get("/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
            } while (!List.of("FAILED", "SUCCEEDED", "CANCELLED").contains(job.getString("state"))
                    && System.currentTimeMillis() < deadline);
            assertThat(job.getString("state")).as(job.prettify()).isEqualTo("FAILED");
            System.out.println("FullDiskJobTest: job " + id + " FAILED at step " + job.getLong("step") + ": "
                    + job.getString("reason"));
            assertThat(job.getString("reason")).as(job.prettify())
                    .containsPattern("(?i)no space left|not enough disk space|disk");
            // Nothing half-written passes for a checkpoint: the checkpoints directory holds complete ones only.
            Path checkpoints = models.resolve("full-disk-out").resolve("checkpoints");
            if (Files.isDirectory(checkpoints)) {
                try (Stream<Path> entries = Files.list(checkpoints)) {
                    for (Path c : entries.toList()) {
                        String name = c.getFileName().toString();
                        assertThat(name).as("a half-written checkpoint was left behind").doesNotStartWith(".tmp-");
                        if (name.startsWith("checkpoint-")) {
                            assertThat(c.resolve("trainer_state.json")).as(c + " is complete").exists();
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(filler);
        }
        // The service is fine: it keeps serving.
        given().contentType(ContentType.JSON).body("{\"inputs\": \"the cat sat\"}").post("/v1/embed").then()
                .statusCode(200);
    }

    static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ServiceDirs.TOKEN);
    }
}
