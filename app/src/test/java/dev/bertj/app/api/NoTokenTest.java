package dev.bertj.app.api;

import dev.bertj.app.testing.ManagementRoutes;
import dev.bertj.app.testing.NoTokenProfile;
import dev.bertj.app.testing.Ready;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** Without a configured token the management endpoints are disabled (never open); inference still answers. */
@QuarkusTest
@TestProfile(NoTokenProfile.class)
class NoTokenTest {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void managementIsDisabledWhateverTheClientSends() {
        for (String auth : new String[] {null, "Bearer ", "Bearer anything", "Bearer null"}) {
            var r = auth == null ? given() : given().header("Authorization", auth);
            r.get("/v1/plugins").then().statusCode(403).contentType("application/problem+json")
                    .body("detail", containsString("disabled"));
        }
        given().contentType(ContentType.JSON).body("{\"model\": \"tiny-two\"}").post("/v1/models").then().statusCode(403);
        given().delete("/v1/models/tiny").then().statusCode(403);
        given().delete("/v1/plugins/mlm").then().statusCode(403);
        given().contentType(ContentType.JSON).body("{}").post("/v1/jobs").then().statusCode(403);
        given().get("/v1/jobs").then().statusCode(403);
        given().contentType(ContentType.JSON).body("{\"inputs\": \"hello\"}").post("/v1/embed").then().statusCode(200);
    }

    @Test
    void everyManagementEndpointIsDisabled() {
        for (ManagementRoutes.Route route : ManagementRoutes.ALL) {
            for (String auth : new String[] {null, "Bearer ", "Bearer wrong", "Bearer test-token-0123456789"}) {
                var spec = auth == null ? given() : given().header("Authorization", auth);
                route.send(spec).then().statusCode(403).contentType("application/problem+json")
                        .body("detail", containsString("disabled"));
            }
        }
    }

    @Test
    void oversizedBodiesAre413BeforeAnythingElse() {
        given().contentType("application/java-archive").body(new byte[4096]).post("/v1/plugins").then().statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("max-upload-bytes"));
        given().contentType(ContentType.JSON).body("{\"inputs\": \"" + "a".repeat(5000) + "\"}").post("/v1/embed").then()
                .statusCode(413).body("detail", containsString("max-body-bytes"));
    }
}
