package dev.bertj.app.core;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.model.ModelLocator;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.service.BertjModule;
import dev.bertj.core.service.RepresentationService;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The bridge from core's Guice wiring into CDI. Core is wired by Guice ({@link BertjModule}) and never indexed by
 * ArC ({@code quarkus.arc.exclude-types}); its singletons reach the service's beans through these producer
 * methods, so each exists once: the default model's encoder and tokenizer are the ones Guice made.
 */
@Singleton
public class CoreBeans {

    /** Resolves well-known model names, converting their artifacts into the local cache on first use. */
    @Produces
    @Singleton
    ModelRegistry modelRegistry() {
        return ModelRegistry.defaults();
    }

    /**
     * The Guice injector of the default model. Created on first use (the model store's background loader), since
     * locating a well-known model may convert it first.
     */
    @Produces
    @Singleton
    @DefaultModel
    Injector defaultModelInjector(ServiceConfig config, ModelLocator locator, ModelRegistry registry) {
        String dir = locator.locate(config.models().defaultModel()).dir().toString();
        return Guice.createInjector(new BertjModule(dir, RepresentationService.Options.DEFAULT, registry));
    }

    @Produces
    @Singleton
    @DefaultModel
    BertModel defaultModel(@DefaultModel Injector injector) {
        return injector.getInstance(BertModel.class);
    }

    @Produces
    @Singleton
    @DefaultModel
    WordPieceTokenizer defaultTokenizer(@DefaultModel Injector injector) {
        return injector.getInstance(WordPieceTokenizer.class);
    }

    /** Core's representation service on the default model, for Java code in the service that wants it. */
    @Produces
    @Singleton
    @DefaultModel
    RepresentationService defaultRepresentation(@DefaultModel Injector injector) {
        return injector.getInstance(RepresentationService.class);
    }
}
