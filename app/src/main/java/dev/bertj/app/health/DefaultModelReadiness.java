package dev.bertj.app.health;

import dev.bertj.app.model.ModelStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the default model is loaded and serving; down while it loads or if it failed (with the reason). */
@Readiness
@Singleton
public class DefaultModelReadiness implements HealthCheck {

    @Inject
    ModelStore store;

    @Override
    public HealthCheckResponse call() {
        ModelStore.DefaultStatus d = store.defaultStatus();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("default-model").withData("model", d.id())
                .withData("phase", d.phase().name().toLowerCase());
        if (d.reason() != null) {
            b.withData("reason", d.reason());
        }
        return b.status(d.phase() == ModelStore.Phase.READY).build();
    }
}
