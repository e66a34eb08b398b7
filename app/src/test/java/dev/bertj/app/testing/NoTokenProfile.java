package dev.bertj.app.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** No management token configured (its own config profile, so the test profile's token does not apply). */
public class NoTokenProfile implements QuarkusTestProfile {

    @Override
    public String getConfigProfile() {
        return "notoken";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("bertj.models.default", "tiny", "bertj.plugins.max-upload-bytes", "2048",
                "bertj.limits.max-body-bytes", "4096");
    }
}
