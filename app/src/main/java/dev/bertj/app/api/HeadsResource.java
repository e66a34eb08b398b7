package dev.bertj.app.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.plugin.HeadPlugins;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.plugins.PluginState;
import dev.bertj.plugins.PluginStatus;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.problem.ProblemException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/heads}: every head the plugin runtime knows, which plugin brings it, its state, and its models. */
@Path("/v1/heads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "heads")
public class HeadsResource {

    @Inject
    HeadPlugins plugins;
    @Inject
    ModelStore store;
    @Inject
    Serving serving;
    @Context
    HttpServerRequest http;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeadEntry(String id, String version, String description, String plugin,
                            @JsonProperty("plugin_version") String pluginVersion, String state,
                            @JsonProperty("built_in") boolean builtIn, List<String> models,
                            String endpoint, String reason) {
    }

    @GET
    @Operation(summary = "Heads: id, version, plugin, state, and the loaded models that have them")
    public List<HeadEntry> list() {
        List<HeadEntry> out = new ArrayList<>();
        Map<String, List<HeadFactory>> active = plugins.active();
        for (PluginStatus p : plugins.runtime().plugins()) {
            String pluginVersion = p.version() == null ? null : p.version().toString();
            List<HeadFactory> factories = p.state() == PluginState.ACTIVE && p.selected()
                    ? active.getOrDefault(p.id(), List.of()) : List.of();
            if (factories.isEmpty()) {
                out.add(new HeadEntry(null, null, p.description(), p.id(), pluginVersion,
                        p.state().name().toLowerCase(), p.builtIn(), List.of(), null,
                        p.reason() != null ? p.reason() : p.selection()));
                continue;
            }
            for (HeadFactory f : factories) {
                HeadDescriptor d = f.descriptor();
                List<String> models = new ArrayList<>();
                store.models().forEach((id, m) -> m.head(d.id()).filter(h -> h.factory() == f)
                        .ifPresent(h -> models.add(id)));
                out.add(new HeadEntry(d.id(), d.version(), d.description(), p.id(), pluginVersion, "active",
                        p.builtIn(), models, endpointOf(d.id()), null));
            }
        }
        return out;
    }

    /**
     * Any head by its id: the body is the head's own request type as JSON, the answer its response type. This is
     * how a head from an uploaded plugin answers without the service knowing its types.
     */
    @POST
    @Path("/{head}/predict")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Call any head by id with its own request JSON")
    public Object predict(@PathParam("head") String headId, @QueryParam("model") String model, ObjectNode body) {
        if (body == null) {
            throw ProblemException.badRequest("the request needs a JSON object body");
        }
        SafeNames.check("head id", headId);
        return serving.serveJson("heads/" + headId, headId, model, body, http);
    }

    /** Where a head answers: its Hugging Face-shaped endpoint, or the generic one. */
    static String endpointOf(String headId) {
        return switch (headId) {
            case "mlm" -> "/v1/fill-mask";
            case "nsp" -> "/v1/next-sentence";
            case "qa" -> "/v1/question-answering";
            case "classification" -> "/v1/text-classification";
            case "translation" -> "/v1/translation";
            default -> "/v1/heads/" + headId + "/predict";
        };
    }
}
