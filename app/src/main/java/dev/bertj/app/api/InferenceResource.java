package dev.bertj.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.batch.Pooling;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.heads.mlm.FillMaskAnswer;
import dev.bertj.heads.mlm.FillMaskRequest;
import dev.bertj.heads.nsp.NextSentenceRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;

/**
 * The inference endpoints, in the JSON shapes of Hugging Face pipelines and Text Embeddings Inference. Each reads
 * and checks its request, then hands the model work to {@link Serving}.
 */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "inference")
public class InferenceResource {

    @Inject
    Serving serving;
    @Inject
    ServiceConfig config;
    @Inject
    ObjectMapper json;
    @Context
    HttpServerRequest http;

    @POST
    @Path("/embed")
    @Operation(summary = "Sentence embeddings (TEI /embed): one vector per input")
    public float[][] embed(Requests.Embed r) {
        Checks.body(r);
        Texts inputs = Checks.texts("inputs", r.inputs(), config.limits());
        Pooling pooling;
        try {
            pooling = r.pooling() == null ? Pooling.MEAN : Pooling.parse(r.pooling());
        } catch (IllegalArgumentException e) {
            throw ProblemException.unprocessable("field 'pooling': " + e.getMessage());
        }
        boolean normalize = r.normalize() == null || r.normalize();
        boolean truncate = r.truncate() != null && r.truncate();
        return serving.serve("embed", r.model(), http,
                m -> m.embed(inputs.values(), pooling, normalize, truncate));
    }

    @POST
    @Path("/fill-mask")
    @Operation(summary = "Fill the [MASK] tokens (HF fill-mask pipeline shape)")
    public Object fillMask(Requests.FillMask r) {
        Checks.body(r);
        Texts inputs = Checks.texts("inputs", r.inputs(), config.limits());
        int topK = Checks.range("top_k", r.topK(), FillMaskRequest.DEFAULT_TOP_K, 1,
                Math.min(config.limits().maxTopK(), FillMaskRequest.MAX_TOP_K));
        List<String> targets = null;
        if (r.targets() != null) {
            targets = Checks.texts("targets", r.targets(), config.limits()).values();
        }
        List<FillMaskRequest> requests = new ArrayList<>();
        for (String text : inputs.values()) {
            requests.add(new FillMaskRequest(text, topK, targets));
        }
        List<Object> answers = serving.serve("fill-mask", r.model(), http,
                m -> serving.callHead(m, "mlm", head -> head.predictBatch(new ArrayList<>(requests))));
        return inputs.batched() ? answers : answers.get(0);
    }

    @POST
    @Path("/next-sentence")
    @Operation(summary = "Next-sentence prediction: does text_b follow text_a?")
    public Object nextSentence(Requests.NextSentence r) {
        Checks.body(r);
        String a = Checks.text("text_a", r.textA(), config.limits());
        String b = Checks.text("text_b", r.textB(), config.limits());
        NextSentenceRequest request = new NextSentenceRequest(a, b);
        return serving.serve("next-sentence", r.model(), http,
                m -> serving.callHead(m, "nsp", head -> head.predict(request)));
    }

    @POST
    @Path("/question-answering")
    @Operation(summary = "Extractive question answering (HF question-answering pipeline shape)")
    public Object questionAnswering(ObjectNode body) {
        Requests.QuestionAnswering r = read(body, Requests.QuestionAnswering.class);
        Checks.text("question", r.question(), config.limits());
        Checks.text("context", r.context(), config.limits());
        Checks.range("top_k", r.topK(), 1, 1, config.limits().maxTopK());
        Checks.range("doc_stride", r.docStride(), 128, 1, 4096);
        Checks.range("max_answer_len", r.maxAnswerLen(), 15, 1, 4096);
        Checks.range("max_seq_len", r.maxSeqLen(), 384, 8, 4096);
        Checks.range("max_question_len", r.maxQuestionLen(), 64, 1, 4096);
        return generic("question-answering", "qa", r.model(), body);
    }

    @POST
    @Path("/text-classification")
    @Operation(summary = "Text classification (HF text-classification pipeline shape)")
    public Object textClassification(ObjectNode body) {
        Requests.TextClassification r = read(body, Requests.TextClassification.class);
        Checks.texts("inputs", r.inputs(), config.limits());
        if (r.textPair() != null) {
            Checks.text("text_pair", r.textPair(), config.limits());
        }
        Checks.range("top_k", r.topK(), 1, 1, config.limits().maxTopK());
        return generic("text-classification", "classification", r.model(), body);
    }

    @POST
    @Path("/translation")
    @Operation(summary = "Translation (HF translation pipeline shape)")
    public Object translation(ObjectNode body) {
        Requests.Translation r = read(body, Requests.Translation.class);
        Checks.texts("inputs", r.inputs(), config.limits());
        Checks.range("num_beams", r.numBeams(), 1, 1, config.limits().maxBeams());
        Checks.range("max_length", r.maxLength(), config.limits().maxGenerationLength(), 1,
                config.limits().maxGenerationLength());
        return generic("translation", "translation", r.model(), body);
    }

    private Object generic(String endpoint, String headId, String model, ObjectNode body) {
        return serving.serveJson(endpoint, headId, model, body, http);
    }

    private <T> T read(JsonNode body, Class<T> type) {
        Checks.body(body);
        try {
            return json.treeToValue(body, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ProblemException.badRequest(dev.bertj.app.problem.ProblemMappers.describe(e));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }
}
