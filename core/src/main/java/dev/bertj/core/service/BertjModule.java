package dev.bertj.core.service;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.util.Objects;

/**
 * Guice wiring for one model: a model name (resolved and, on first use, converted by {@link ModelRegistry}) or a
 * native model directory becomes singletons of {@link BertModel}, {@link WordPieceTokenizer} and
 * {@link RepresentationService}. The model is loaded when first injected.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new BertjModule("all-minilm-l6-v2"));
 * RepresentationService service = injector.getInstance(RepresentationService.class);
 * }</pre>
 */
public final class BertjModule extends AbstractModule {

    private final String model;
    private final RepresentationService.Options options;
    private final ModelRegistry registry;

    public BertjModule(String modelNameOrDir) {
        this(modelNameOrDir, RepresentationService.Options.DEFAULT, null);
    }

    /** @param registry where names resolve; null for {@link ModelRegistry#defaults()} */
    public BertjModule(String modelNameOrDir, RepresentationService.Options options, ModelRegistry registry) {
        this.model = Objects.requireNonNull(modelNameOrDir, "model name or directory");
        this.options = Objects.requireNonNull(options, "options");
        this.registry = registry;
    }

    @Provides
    @Singleton
    LoadedModel loadedModel() {
        return LoadedModel.open(registry != null ? registry : ModelRegistry.defaults(), model);
    }

    @Provides
    @Singleton
    BertModel bertModel(LoadedModel loaded) {
        return loaded.model();
    }

    @Provides
    @Singleton
    WordPieceTokenizer tokenizer(LoadedModel loaded) {
        return loaded.tokenizer();
    }

    @Provides
    @Singleton
    RepresentationService representationService(BertModel bert, WordPieceTokenizer tokenizer) {
        return new RepresentationService(bert, tokenizer, options);
    }
}
