package dev.bertj.app.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The service with its real default model, bert-base-uncased (loaded once for the test classes using this). */
public class BertBaseProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("bertj.models.default", "bert-base-uncased", "bertj.plugins.call-timeout", "120s");
    }
}
