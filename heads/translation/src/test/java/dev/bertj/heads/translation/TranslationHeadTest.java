package dev.bertj.heads.translation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.head.HeadFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The head as the host sees it: registration, JSON shapes, options and errors. */
class TranslationHeadTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void registeredThroughServiceLoader() {
        List<HeadFactory> factories = ServiceLoader.load(HeadFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertThat(factories).anySatisfy(f -> {
            assertThat(f.descriptor().id()).isEqualTo("translation");
            assertThat(f.descriptor().requestType()).isEqualTo(TranslationRequest.class);
            assertThat(f.descriptor().responseType()).isEqualTo(TranslationAnswer.class);
        });
    }

    @Test
    void requestAndAnswerHaveHuggingFaceShapes() throws Exception {
        TranslationRequest r = json.readValue("{\"inputs\":\"A dog.\",\"num_beams\":4,\"max_length\":40}",
                TranslationRequest.class);
        assertThat(r).isEqualTo(new TranslationRequest("A dog.", 4, 40));
        assertThat(json.readValue("{\"inputs\":\"A dog.\"}", TranslationRequest.class).numBeams()).isNull();
        assertThat(json.writeValueAsString(TranslationAnswer.of("Ein Hund.")))
                .isEqualTo("[{\"translation_text\":\"Ein Hund.\"}]");
    }

    @Test
    void badRequestsAreRejectedWithTheirReason() {
        assertThatThrownBy(() -> new TranslationRequest(null, null, null)).hasMessageContaining("'inputs'");
        assertThatThrownBy(() -> new TranslationRequest("x", 0, null)).hasMessageContaining("num_beams");
        assertThatThrownBy(() -> new TranslationRequest("x", null, 1)).hasMessageContaining("max_length");
    }

    @Test
    void aFreshHeadExplainsThatItNeedsTargetText() {
        TinyEncoder encoder = new TinyEncoder(ReversalTask.SOURCE, 24, 1);
        TranslationHead head = TranslationHead.fresh(encoder, Map.of());
        assertThatThrownBy(head::parameters).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no target vocabulary yet").hasMessageContaining("train=PATH");
        assertThatThrownBy(() -> head.predict(TranslationRequest.of("one"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void defaultDecoderSizes() {
        DecoderConfig c = DecoderConfig.fromOptions(Map.of(), 8000, 768);
        assertThat(c.numLayers()).isEqualTo(3);
        assertThat(c.hiddenSize()).isEqualTo(512);
        assertThat(c.numHeads()).isEqualTo(8);
        assertThat(c.intermediateSize()).isEqualTo(2048);
        assertThat(c.hiddenDropout()).isEqualTo(0.1);
        assertThat(c.labelSmoothing()).isEqualTo(0.1);
        assertThat(c.hiddenAct()).isEqualTo("gelu");
        assertThat(DecoderConfig.fromJson(c.toJson())).isEqualTo(c);
        assertThatThrownBy(() -> DecoderConfig.fromOptions(Map.of("hidden", "100", "heads", "8"), 10, 768))
                .hasMessageContaining("not a multiple of 8");
        assertThatThrownBy(() -> DecoderConfig.fromOptions(Map.of("layers", "three"), 10, 768))
                .hasMessageContaining("layers must be an integer");
    }
}
