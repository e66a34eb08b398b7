package dev.bertj.app.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Inference behind the management token too. */
public class ProtectedInferenceProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("bertj.auth.protect-inference", "true");
    }
}
