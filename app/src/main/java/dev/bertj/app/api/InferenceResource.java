package dev.bertj.app.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.app.batch.Pooling;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.heads.classification.ClassificationAnswer;
import dev.bertj.heads.classification.ClassificationRequest;
import dev.bertj.heads.mlm.FillMaskRequest;
import dev.bertj.heads.nsp.NextSentenceRequest;
import dev.bertj.heads.qa.QaRequest;
import dev.bertj.heads.translation.TranslationAnswer;
import dev.bertj.heads.translation.TranslationRequest;
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
    public Object questionAnswering(Requests.QuestionAnswering r) {
        Checks.body(r);
        String question = Checks.text("question", r.question(), config.limits());
        String context = Checks.text("context", r.context(), config.limits());
        if (question.isBlank() || context.isBlank()) {
            throw ProblemException.unprocessable("question and context must not be blank");
        }
        Integer topK = r.topK() == null ? null : Checks.range("top_k", r.topK(), 1, 1, QaRequest.MAX_TOP_K);
        Integer maxAnswerLen = r.maxAnswerLen() == null ? null
                : Checks.range("max_answer_len", r.maxAnswerLen(), 15, 1, 4096);
        if (r.nullThreshold() != null && !Double.isFinite(r.nullThreshold())) {
            throw ProblemException.unprocessable("field 'null_threshold' must be a finite number");
        }
        QaRequest request = new QaRequest(question, context, topK, maxAnswerLen, r.handleImpossibleAnswer(),
                r.nullThreshold());
        return serving.serve("question-answering", r.model(), http, m -> serving.callHead(m, "qa", head -> {
            // The windowing is part of the head's configuration; a request may restate it but not change it.
            fixedByHead(head.config(), "doc_stride", "doc_stride", r.docStride());
            fixedByHead(head.config(), "max_seq_len", "max_seq_len", r.maxSeqLen());
            fixedByHead(head.config(), "max_question_len", "max_query_len", r.maxQuestionLen());
            return head.predict(request);
        }));
    }

    private static void fixedByHead(ObjectNode headConfig, String field,
                                    String key, Integer requested) {
        if (requested != null && headConfig.has(key) && headConfig.get(key).asInt() != requested) {
            throw ProblemException.unprocessable("field '" + field + "' is " + headConfig.get(key).asInt()
                    + " for this model's qa head (set in its head.json when it was fine-tuned); got " + requested);
        }
    }

    @POST
    @Path("/text-classification")
    @Operation(summary = "Text classification (HF text-classification pipeline shape)")
    public Object textClassification(Requests.TextClassification r) {
        Checks.body(r);
        Texts inputs = Checks.texts("inputs", r.inputs(), config.limits());
        String pair = r.textPair() == null ? null : Checks.text("text_pair", r.textPair(), config.limits());
        Integer topK = r.topK() == null ? null : Checks.range("top_k", r.topK(), 1, 1, config.limits().maxTopK());
        List<Object> requests = new ArrayList<>();
        for (String text : inputs.values()) {
            requests.add(new ClassificationRequest(text, pair, topK));
        }
        List<Object> answers = serving.serve("text-classification", r.model(), http,
                m -> serving.callHead(m, "classification", head -> head.predictBatch(requests)));
        if (!inputs.batched()) {
            return answers.get(0);
        }
        // As the HF pipeline: with top_k unset, a list of inputs gives the best label of each, not a list of lists.
        if (topK == null && answers.stream().allMatch(a -> a instanceof ClassificationAnswer c && c.labels().size() == 1)) {
            return answers.stream().map(a -> ((ClassificationAnswer) a).labels().get(0)).toList();
        }
        return answers;
    }

    @POST
    @Path("/translation")
    @Operation(summary = "Translation (HF translation pipeline shape)")
    public Object translation(Requests.Translation r) {
        Checks.body(r);
        Texts inputs = Checks.texts("inputs", r.inputs(), config.limits());
        Integer beams = r.numBeams() == null ? null : Checks.range("num_beams", r.numBeams(), 1, 1,
                Math.min(config.limits().maxBeams(), TranslationRequest.MAX_BEAMS));
        Integer maxLength = r.maxLength() == null ? null : Checks.range("max_length", r.maxLength(), 2, 2,
                config.limits().maxGenerationLength());
        List<Object> requests = new ArrayList<>();
        for (String text : inputs.values()) {
            requests.add(new TranslationRequest(text, beams, maxLength));
        }
        List<Object> answers = serving.serve("translation", r.model(), http,
                m -> serving.callHead(m, "translation", head -> head.predictBatch(requests)));
        // As the HF pipeline: one text gives [{"translation_text"}]; a list gives one such object per text.
        return inputs.batched() ? answers.stream().map(a -> ((TranslationAnswer) a).translations().get(0)).toList()
                : answers.get(0);
    }

}
