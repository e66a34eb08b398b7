package dev.bertj.core.service;

import dev.bertj.core.head.HeadHost;

import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * bertj for plain Java, no dependency injection:
 *
 * <pre>{@code
 * try (Bertj bert = Bertj.load("all-minilm-l6-v2")) {
 *     float[] v = bert.embed("The quick brown fox.");
 * }
 * }</pre>
 *
 * {@link #embed(String)} gives the mean-pooled, L2-normalised sentence vector (what sentence-transformers'
 * all-MiniLM-L6-v2 returns); the other pooling modes and the token-level representation are one call away.
 * Thread-safe.
 */
public final class Bertj implements AutoCloseable {

    private final LoadedModel loaded;
    private final RepresentationService service;
    private volatile HeadHost heads;

    private Bertj(LoadedModel loaded, RepresentationService.Options options) {
        this.loaded = loaded;
        this.service = new RepresentationService(loaded.model(), loaded.tokenizer(), options);
    }

    /** A well-known model name ({@link ModelRegistry#knownNames()}) or a native model directory. */
    public static Bertj load(String nameOrDir) {
        return load(nameOrDir, RepresentationService.Options.DEFAULT);
    }

    public static Bertj load(String nameOrDir, RepresentationService.Options options) {
        return new Bertj(LoadedModel.open(ModelRegistry.defaults(), nameOrDir), options);
    }

    public static Bertj load(Path modelDir, RepresentationService.Options options) {
        return new Bertj(LoadedModel.open(modelDir), options);
    }

    /** The mean-pooled, L2-normalised sentence vector of {@code text}. */
    public float[] embed(String text) {
        return service.embed(text, Pooling.MEAN, true);
    }

    public float[] embed(String text, Pooling pooling, boolean normalize) {
        return service.embed(text, pooling, normalize);
    }

    /** Mean-pooled, L2-normalised sentence vectors, one per text. */
    public List<float[]> embed(List<String> texts) {
        return service.embed(texts, Pooling.MEAN, true);
    }

    public List<float[]> embed(List<String> texts, Pooling pooling, boolean normalize) {
        return service.embed(texts, pooling, normalize);
    }

    /** Tokens, offsets, token vectors and sentence vectors of {@code text}. */
    public Representation encode(String text) {
        return service.encode(text);
    }

    public RepresentationService service() {
        return service;
    }

    public BertModel model() {
        return loaded.model();
    }

    public WordPieceTokenizer tokenizer() {
        return loaded.tokenizer();
    }

    /** Where the model was loaded from. */
    public Path modelDir() {
        return loaded.dir();
    }

    /**
     * The task heads on this model: every head plugin on the class path (fill-mask, next-sentence, question
     * answering, ...), each found in the model directory's {@code heads/<id>/} or in the checkpoint itself.
     *
     * <pre>{@code
     * try (Bertj bert = Bertj.load("bert-base-uncased")) {
     *     FillMaskAnswer a = bert.predict("mlm", FillMaskRequest.of("The capital of France is [MASK]."));
     * }
     * }</pre>
     */
    public HeadHost heads() {
        HeadHost h = heads;
        if (h == null) {
            synchronized (this) {
                if (heads == null) {
                    heads = new HeadHost(loaded.model(), loaded.tokenizer(), loaded.dir(),
                            HeadHost.discover(Bertj.class.getClassLoader()), 42);
                }
                h = heads;
            }
        }
        return h;
    }

    /** Answers {@code request} with head {@code headId}. */
    public <Q, R> R predict(String headId, Q request) {
        return heads().<Q, R>head(headId).predict(request);
    }

    @Override
    public void close() {
        loaded.model().close();
    }
}
