package dev.bertj.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.batch.BatchRejectedException;
import dev.bertj.app.batch.CallContext;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.metrics.ServiceMetrics;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.model.ServedModel;
import dev.bertj.app.plugin.HeadPlugins;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.app.problem.ProblemMappers;
import dev.bertj.core.head.TaskHead;
import dev.bertj.plugins.PluginCallException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * How every inference request is served: a lease on its model, a {@link CallContext} carrying its deadline and
 * whether its client is still connected, head calls isolated through the plugin runtime with a timeout, failures
 * turned into the right status, and the request counted in the metrics.
 */
@Singleton
public class Serving {

    private final ModelStore store;
    private final HeadPlugins plugins;
    private final ServiceMetrics metrics;
    private final ServiceConfig config;

    private final ObjectMapper json;

    @Inject
    public Serving(ModelStore store, HeadPlugins plugins, ServiceMetrics metrics, ServiceConfig config,
                   ObjectMapper json) {
        this.json = json;
        this.store = store;
        this.plugins = plugins;
        this.metrics = metrics;
        this.config = config;
    }

    /** Runs {@code work} on model {@code modelId} (null: the default) for {@code endpoint}. */
    public <T> T serve(String endpoint, String modelId, HttpServerRequest http, Function<ServedModel, T> work) {
        long t0 = System.nanoTime();
        int status = 200;
        String model = modelId;
        try {
            if (modelId != null) {
                SafeNames.check("model", modelId);
            }
            try (ServedModel.Lease lease = store.lease(modelId)) {
                model = lease.model().id();
                // The response object itself, not the request-scoped proxy: the batcher asks from its own thread.
                HttpServerResponse response = http == null ? null : http.response();
                BooleanSupplier gone = response == null ? () -> false : response::closed;
                CallContext ctx = new CallContext(t0 + config.batcher().requestTimeout().toNanos(), gone);
                return ctx.run(() -> work.apply(lease.model()));
            }
        } catch (ProblemException e) {
            status = e.status();
            throw e;
        } catch (RuntimeException e) {
            ProblemException p = translate(e);
            status = p.status();
            throw p;
        } finally {
            metrics.request(endpoint, model, status, System.nanoTime() - t0);
        }
    }

    /**
     * Calls head {@code headId} of {@code model} through the plugin runtime (isolated, with a timeout), passing the
     * request's {@link CallContext} on to the call's thread.
     */
    @SuppressWarnings("unchecked")
    public <R> R callHead(ServedModel model, String headId, Function<TaskHead<Object, Object, ?>, R> fn) {
        ServedModel.HostedHead h = model.head(headId).orElseThrow(() -> ProblemException.notFound("head",
                model.missingHead(headId).orElse("model '" + model.id() + "' has no head '" + headId
                        + "' (it has " + model.heads().keySet() + "; installed head plugins: "
                        + plugins.active().keySet() + ")")));
        CallContext ctx = CallContext.current();
        Duration timeout = config.plugins().callTimeout();
        if (ctx != null) {
            long left = ctx.deadlineNanos() - System.nanoTime();
            timeout = Duration.ofNanos(Math.max(1, Math.min(timeout.toNanos(), left)));
        }
        TaskHead<Object, Object, ?> head = (TaskHead<Object, Object, ?>) h.head();
        try {
            return plugins.runtime().call(h.pluginId(), h.factory(),
                    f -> ctx == null ? fn.apply(head) : ctx.run(() -> fn.apply(head)), timeout);
        } catch (PluginCallException e) {
            throw fromPlugin(headId, e);
        }
    }

    /**
     * Serves a head whose request type is known only at run time: {@code body} (without "model") is converted to
     * the head's request type, the answer serialised as the head's response type.
     */
    public Object serveJson(String endpoint, String headId, String model, ObjectNode body, HttpServerRequest http) {
        ObjectNode request = body.deepCopy();
        request.remove("model");
        return serve(endpoint, model, http, m -> callHead(m, headId, head -> {
            Object typed;
            try {
                typed = json.convertValue(request, head.descriptor().requestType());
            } catch (IllegalArgumentException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw ProblemException.badRequest("the request does not fit head '" + headId + "': "
                        + (cause instanceof JsonProcessingException j ? ProblemMappers.describe(j) : cause.getMessage()));
            }
            return head.predict(typed);
        }));
    }

    private ProblemException fromPlugin(String headId, PluginCallException e) {
        return switch (e.kind()) {
            case FAILED -> e.getCause() instanceof ProblemException || e.getCause() instanceof BatchRejectedException
                    || e.getCause() instanceof IllegalArgumentException ? translate((RuntimeException) e.getCause())
                    : ProblemException.headFailed("head '" + headId + "' failed: " + e.getCause(), e.getCause());
            case TIMED_OUT -> ProblemException.timeout("head '" + headId + "' did not answer within its time limit");
            case REJECTED -> ProblemException.overloaded("head '" + headId + "' is at its limit of calls in flight", 1);
            case NOT_ACTIVE -> ProblemException.notFound("head", "head '" + headId + "' is not active: "
                    + e.getMessage());
            case INTERRUPTED -> ProblemException.unavailable("the request was interrupted", 1);
        };
    }

    /** What a failure inside model work means for the client. */
    static ProblemException translate(RuntimeException e) {
        if (e instanceof ProblemException p) {
            return p;
        }
        if (e instanceof BatchRejectedException b) {
            return switch (b.reason()) {
                case QUEUE_FULL -> ProblemException.overloaded(b.getMessage(), b.retryAfterSeconds());
                case TIMED_OUT -> ProblemException.unavailable(b.getMessage(), b.retryAfterSeconds());
                case CLIENT_GONE -> ProblemException.unavailable("the client went away", 1);
                case CLOSED -> ProblemException.unavailable(b.getMessage(), 1);
            };
        }
        if (e instanceof IllegalArgumentException) {
            // Heads and the encoder refuse unusable input (no [MASK], too long, ...) with this exception.
            return ProblemException.unprocessable(e.getMessage());
        }
        return ProblemException.headFailed("the request failed: " + e, e);
    }
}
