package dev.bertj.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * The representation service end to end on all-MiniLM-L6-v2: the well-known name resolved and converted by the
 * registry (into a temporary home), loaded through the Guice module, text in, vectors out, checked against
 * ONNX Runtime's recorded values for the same sentences.
 */
class RepresentationServiceTest {

    @TempDir
    static Path home;
    static ModelRegistry registry;
    static Injector injector;
    static RepresentationService service;
    static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        registry = new ModelRegistry(home, ModelRegistry.defaultMavenRepository(),
                RepresentationServiceTest.class.getClassLoader());
        injector = Guice.createInjector(new BertjModule("all-minilm-l6-v2",
                RepresentationService.Options.DEFAULT.withMaxLength(64), registry));
        service = injector.getInstance(RepresentationService.class);
        try (InputStream in = RepresentationServiceTest.class.getClassLoader()
                .getResourceAsStream("reference/minilm-ort-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @AfterAll
    static void close() {
        injector.getInstance(BertModel.class).close();
    }

    @Test
    void guiceGivesOneSharedModelAndService() {
        assertThat(injector.getInstance(RepresentationService.class)).isSameAs(service);
        assertThat(injector.getInstance(BertModel.class)).isSameAs(service.model());
        assertThat(service.dimension()).isEqualTo(384);
    }

    @Test
    void textToVectorsMatchesOnnxRuntimesRecordedValues() {
        for (JsonNode item : reference.get("items")) {
            String text = item.get("text").asText();
            Representation r = service.encode(text);
            assertThat(r.tokens()).containsExactly(new ObjectMapper().convertValue(item.get("tokens"), String[].class));
            float[] mean = r.sentenceVector(Pooling.MEAN, false);
            float[] cls = r.sentenceVector(Pooling.CLS, false);
            for (int j = 0; j < 8; j++) {
                assertThat((double) mean[j]).isCloseTo(item.get("mean_pool_first8").get(j).asDouble(), offset(1e-4));
                assertThat((double) cls[j]).isCloseTo(item.get("last_hidden_state_token0_first8").get(j).asDouble(),
                        offset(1e-4));
            }
            float[] unit = service.embed(text, Pooling.MEAN, true);
            double norm = item.get("l2norm_of_mean_pool").asDouble();
            for (int j = 0; j < unit.length; j++) {
                assertThat((double) unit[j]).isCloseTo(mean[j] / norm, offset(1e-5));
            }
            assertThat(r.tokenVectors()[0]).containsExactly(cls);
        }
    }

    @Test
    void tokensComeWithTheirSpansInTheText() {
        String text = "Café owners in Zürich sold 1,234 croissants.";
        Representation r = service.encode(text);
        assertThat(r.tokens()[0]).isEqualTo("[CLS]");
        assertThat(r.offsetStart()[0]).isEqualTo(-1);
        assertThat(r.tokens()[r.length() - 1]).isEqualTo("[SEP]");
        for (int i = 1; i < r.length() - 1; i++) {
            String span = text.substring(r.offsetStart()[i], r.offsetEnd()[i]).toLowerCase()
                    .replace('é', 'e').replace('ü', 'u');
            assertThat(span).as("token %s", r.tokens()[i]).isEqualTo(r.tokens()[i].replace("##", ""));
            assertThat(r.tokenVectors()[i]).hasSize(384);
        }
    }

    @Test
    void batchesKeepTheOrderAndEqualSingleCalls() {
        List<String> texts = List.of("short", "a somewhat longer sentence about the weather in spring",
                "medium length text here", "x");
        List<float[]> batch = service.embed(texts, Pooling.MEAN, true);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = service.embed(texts.get(i), Pooling.MEAN, true);
            for (int j = 0; j < single.length; j++) {
                assertThat((double) batch.get(i)[j]).isCloseTo(single[j], offset(1e-5));
            }
        }
    }

    @Test
    void pairsAreEncodedAsTwoSegments() {
        RepresentationService.TextPair pair = new RepresentationService.TextPair("Where is Paris?", "Paris is in France.");
        Representation r = service.encode(pair);
        Encoding e = service.tokenizer().encode(pair.first(), pair.second());
        assertThat(r.sequenceIds()).contains(0, 1);
        float[] direct = service.model().forward(new EncoderInput(1, e.length(), e.ids(), e.typeIds(), null)).cls(0);
        assertThat(r.cls()).containsExactly(direct);
        assertThat(service.embedPairs(List.of(pair), Pooling.CLS, false).get(0)).containsExactly(direct);
    }

    @Test
    void overlongInputsAreRejectedUnlessTruncationIsAsked() {
        String longText = "word ".repeat(100);
        assertThatThrownBy(() -> service.embed(longText, Pooling.MEAN, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 64");
        RepresentationService truncating = new RepresentationService(service.model(), service.tokenizer(),
                service.options().withTruncate(true));
        Representation r = truncating.encode(longText);
        assertThat(r.length()).isEqualTo(64);
        assertThat(r.tokens()[63]).isEqualTo("[SEP]");
        assertThatThrownBy(() -> service.embed("hello", Pooling.POOLER, false)).hasMessageContaining("no pooler");
    }

    @Test
    void concurrentCallersGetTheSameVectors() throws Exception {
        List<String> texts = new ArrayList<>();
        for (JsonNode item : reference.get("items")) {
            texts.add(item.get("text").asText());
        }
        List<float[]> expected = service.embed(texts, Pooling.MEAN, false);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<float[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                futures.add(pool.submit(() -> service.embed(texts, Pooling.MEAN, false)));
            }
            for (Future<List<float[]>> f : futures) {
                List<float[]> got = f.get();
                for (int i = 0; i < texts.size(); i++) {
                    for (int j = 0; j < 384; j++) {
                        assertThat((double) got.get(i)[j]).isCloseTo(expected.get(i)[j], offset(1e-5));
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theFacadeLoadsADirectory() {
        try (Bertj bert = Bertj.load(registry.resolve("all-minilm-l6-v2"), RepresentationService.Options.DEFAULT)) {
            float[] v = bert.embed("The quick brown fox jumps over the lazy dog.");
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, offset(1e-5));
            JsonNode first = reference.get("items").get(0);
            assertThat((double) v[0]).isCloseTo(first.get("mean_pool_first8").get(0).asDouble()
                    / first.get("l2norm_of_mean_pool").asDouble(), offset(1e-5));
        }
    }
}
