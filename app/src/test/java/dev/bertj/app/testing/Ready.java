package dev.bertj.app.testing;

import io.restassured.RestAssured;

/** Waits until the service reports ready (its default model loaded). */
public final class Ready {

    private Ready() {
    }

    public static void await() {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (RestAssured.get("/q/health/ready").statusCode() == 200) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the service did not become ready: " + RestAssured.get("/q/health/ready").asString());
    }
}
