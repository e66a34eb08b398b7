package dev.bertj.app.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.model.ServedModel;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.app.security.Management;
import dev.bertj.core.model.BertConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The models being served: listed by anyone who may infer, loaded and unloaded with the management token. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models")
public class ModelsResource {

    @Inject
    ModelStore store;
    @Inject
    ServiceConfig config;

    /** {@code POST /v1/models}: a directory name under the models directory, or a well-known name. */
    public record LoadRequest(String model) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeadInfo(String id, String version, String plugin, String from) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelInfo(String id, String state, @JsonProperty("default") boolean isDefault, String source,
                            @JsonProperty("hidden_size") Integer hiddenSize,
                            @JsonProperty("num_hidden_layers") Integer layers,
                            @JsonProperty("num_attention_heads") Integer attentionHeads,
                            @JsonProperty("vocab_size") Integer vocabSize,
                            @JsonProperty("max_position_embeddings") Integer maxPositions,
                            List<HeadInfo> heads, @JsonProperty("queue_depth") Integer queueDepth,
                            @JsonProperty("loaded_at") String loadedAt, String reason) {
    }

    @GET
    @Operation(summary = "Models being served, with their heads; the default model's loading state")
    public List<ModelInfo> list() {
        List<ModelInfo> out = new ArrayList<>();
        var models = store.models();
        ModelStore.DefaultStatus d = store.defaultStatus();
        if (!models.containsKey(d.id()) && d.phase() != ModelStore.Phase.READY) {
            out.add(new ModelInfo(d.id(), d.phase().name().toLowerCase(), true, null, null, null, null, null, null,
                    List.of(), null, null, d.reason()));
        }
        models.values().forEach(m -> out.add(info(m)));
        return out;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One model being served")
    public ModelInfo get(@PathParam("id") String id) {
        SafeNames.check("model id", id);
        ServedModel m = store.models().get(id);
        if (m == null) {
            throw ProblemException.notFound("model", "model '" + id + "' is not loaded");
        }
        return info(m);
    }

    @POST
    @Management
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Load a model: a directory under the models directory or a well-known name")
    public Response load(LoadRequest r) {
        if (r == null || r.model() == null) {
            throw ProblemException.badRequest("field 'model' is required: a directory name under the models "
                    + "directory or a well-known name");
        }
        boolean existed = store.models().containsKey(r.model());
        ServedModel m = store.load(r.model());
        ModelInfo info = info(m);
        return existed ? Response.ok(info).build()
                : Response.created(URI.create("/v1/models/" + m.id())).entity(info).build();
    }

    @DELETE
    @Path("/{id}")
    @Management
    @Operation(summary = "Unload a model; requests in flight finish first")
    public Response unload(@PathParam("id") String id) {
        SafeNames.check("model id", id);
        if (!store.unload(id)) {
            throw ProblemException.notFound("model", "model '" + id + "' is not loaded");
        }
        return Response.noContent().build();
    }

    private ModelInfo info(ServedModel m) {
        BertConfig c = m.config();
        List<HeadInfo> heads = new ArrayList<>();
        m.heads().forEach((id, h) -> heads.add(new HeadInfo(id, h.head().descriptor().version(), h.pluginId(),
                h.from())));
        return new ModelInfo(m.id(), "ready", m.id().equals(config.models().defaultModel()), m.source(),
                c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.vocabSize(), c.maxPositionEmbeddings(),
                heads, m.batcher().queueDepth(), m.loadedAt().toString(), null);
    }
}
