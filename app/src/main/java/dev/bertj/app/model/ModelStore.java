package dev.bertj.app.model;

import dev.bertj.app.batch.BatchListener;
import dev.bertj.app.batch.DynamicBatcher;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.plugin.HeadPlugins;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import dev.bertj.app.core.DefaultModel;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The models being served, by id. The default model loads in the background at startup (readiness waits for it);
 * more are loaded and unloaded through {@code /v1/models}. A model is named by a directory under the models
 * directory or by a well-known name; either way its id is that name.
 */
@Singleton
public class ModelStore {

    private static final Logger LOG = Logger.getLogger(ModelStore.class);

    /** Where the default model is on its way to being served. */
    public enum Phase { LOADING, READY, FAILED }

    public record DefaultStatus(String id, Phase phase, String reason) {
    }

    private final ServiceConfig config;
    private final HeadPlugins plugins;
    private final ModelLocator locator;
    private final BatchListenerFactory listeners;
    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    /** One lock object per id being loaded, so two loads of one id do not race and other loads do not wait. */
    private final Map<String, Object> loading = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bertj-model-loader");
        t.setDaemon(true);
        return t;
    });
    private volatile DefaultStatus defaultStatus;
    private volatile boolean stopping;

    /** Makes the batch listener (metrics) of a model and watches the models that load and unload. */
    public interface BatchListenerFactory extends Function<String, BatchListener> {
        void watch(ServedModel model);

        void unwatch(String id);
    }

    /** The default model's encoder and tokenizer, made by core's Guice module (see CoreBeans). */
    private final Provider<BertModel> defaultEncoder;
    private final Provider<WordPieceTokenizer> defaultTokenizer;

    @Inject
    public ModelStore(ServiceConfig config, HeadPlugins plugins, ModelLocator locator,
                      BatchListenerFactory listeners, @DefaultModel Provider<BertModel> defaultEncoder,
                      @DefaultModel Provider<WordPieceTokenizer> defaultTokenizer) {
        this.defaultEncoder = defaultEncoder;
        this.defaultTokenizer = defaultTokenizer;
        this.config = config;
        this.plugins = plugins;
        this.locator = locator;
        this.listeners = listeners;
        this.defaultStatus = new DefaultStatus(config.models().defaultModel(), Phase.LOADING, null);
        plugins.onChange(() -> background.execute(this::reconcileHeads));
    }

    void start(@Observes StartupEvent event) {
        background.execute(this::loadAtStartup);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        background.shutdownNow();
        for (String id : List.copyOf(models.keySet())) {
            unload(id);
        }
    }

    private void loadAtStartup() {
        String name = config.models().defaultModel();
        long t0 = System.nanoTime();
        try {
            load(name);
            defaultStatus = new DefaultStatus(name, Phase.READY, null);
            LOG.infof("default model '%s' ready in %.1f s", name, (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            String why = e.getMessage();
            defaultStatus = new DefaultStatus(name, Phase.FAILED, why);
            LOG.errorf("default model '%s' failed to load: %s", name, why);
        }
        for (String other : config.models().preload().orElse(List.of())) {
            try {
                load(other);
            } catch (RuntimeException e) {
                LOG.errorf("model '%s' failed to load: %s", other, e.getMessage());
            }
        }
    }

    public DefaultStatus defaultStatus() {
        return defaultStatus;
    }

    /**
     * Loads the model named {@code name} (a directory under the models directory, or a well-known name), or
     * returns it if it is already served.
     *
     * @throws ProblemException 400 for a bad name, 404 if nothing has that name, 422 if its files are unusable
     */
    public ServedModel load(String name) {
        SafeNames.check("model id", name);
        ServedModel served = models.get(name);
        if (served != null) {
            return served;
        }
        Object guard = loading.computeIfAbsent(name, k -> new Object());
        synchronized (guard) {
            try {
                served = models.get(name);
                if (served != null) {
                    return served;
                }
                ModelLocator.Located where = locator.locate(name);
                served = open(name, where);
                models.put(name, served);
                listeners.watch(served);
                attachAll(served);
                LOG.infof("model '%s' loaded from %s (%s), heads %s", name, where.dir(), where.how(),
                        served.heads().keySet());
                return served;
            } finally {
                loading.remove(name);
            }
        }
    }

    private ServedModel open(String name, ModelLocator.Located where) {
        Path dir = where.dir();
        boolean isDefault = name.equals(config.models().defaultModel());
        BertModel model;
        WordPieceTokenizer tokenizer;
        try {
            model = isDefault ? defaultEncoder.get() : BertModel.load(dir);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            throw ProblemException.unprocessable("model '" + name + "' cannot be loaded: " + rootMessage(e));
        }
        try {
            tokenizer = isDefault ? defaultTokenizer.get() : WordPieceTokenizer.load(dir);
            int vocab = tokenizer.vocabulary().size();
            if (vocab > model.config().vocabSize()) {
                throw new IllegalStateException("its tokenizer has " + vocab + " tokens but config.json says vocab_size "
                        + model.config().vocabSize());
            }
        } catch (Exception e) {
            if (!isDefault) {
                model.close();
            }
            throw ProblemException.unprocessable("model '" + name + "' cannot be loaded: " + rootMessage(e));
        }
        ServiceConfig.Batcher b = config.batcher();
        DynamicBatcher.Settings settings = new DynamicBatcher.Settings(b.maxBatchTokens(), b.maxBatchSize(),
                b.maxWait(), b.queueCapacity(), b.requestTimeout());
        return new ServedModel(name, dir, where.how(), model, tokenizer, settings, listeners.apply(name));
    }

    /**
     * Unloads a model: no new requests get it, requests in flight finish, then its memory is released.
     *
     * @return whether it was loaded
     */
    public boolean unload(String id) {
        if (id.equals(config.models().defaultModel()) && models.containsKey(id) && !stopping) {
            throw ProblemException.conflict("the default model '" + id + "' cannot be unloaded (it is configured "
                    + "by bertj.models.default)");
        }
        ServedModel m = models.remove(id);
        if (m == null) {
            return false;
        }
        listeners.unwatch(id);
        m.unload();
        LOG.infof("model '%s' unloaded", id);
        return true;
    }

    /**
     * A lease on the model {@code id}, or on the default model when {@code id} is null.
     *
     * @throws ProblemException 503 while the default model is loading, 404 for a model that is not loaded
     */
    public ServedModel.Lease lease(String id) {
        String wanted = id == null ? config.models().defaultModel() : id;
        ServedModel m = models.get(wanted);
        Optional<ServedModel.Lease> lease = m == null ? Optional.empty() : m.lease();
        if (lease.isPresent()) {
            return lease.get();
        }
        DefaultStatus d = defaultStatus;
        if (wanted.equals(d.id()) && d.phase() == Phase.LOADING) {
            throw ProblemException.unavailable("the default model '" + wanted + "' is still loading", 5);
        }
        if (id == null) {
            throw ProblemException.notFound("model", "the default model '" + wanted + "' is not loaded"
                    + (d.phase() == Phase.FAILED && wanted.equals(d.id()) ? " (it failed: " + d.reason() + ")" : "")
                    + "; name a model with \"model\" (loaded: " + models.keySet() + ")");
        }
        throw ProblemException.notFound("model", "model '" + SafeNames.quote(wanted).replace("'", "")
                + "' is not loaded (loaded: " + new TreeMap<>(models).keySet() + "); load it with POST /v1/models");
    }

    /** Models being served, by id. */
    public Map<String, ServedModel> models() {
        return new TreeMap<>(models);
    }

    /** Brings every model's heads in line with the active plugins: new heads attached, removed ones detached. */
    public synchronized void reconcileHeads() {
        Map<String, List<HeadFactory>> active = plugins.active();
        Collection<HeadFactory> live = new ArrayList<>();
        active.values().forEach(live::addAll);
        for (ServedModel m : models.values()) {
            for (HeadFactory stale : m.staleFactories(live)) {
                m.detach(stale);
            }
            active.forEach((pluginId, factories) -> {
                for (HeadFactory f : factories) {
                    if (!m.hosts(f)) {
                        m.attach(pluginId, f);
                    }
                }
            });
        }
    }

    private synchronized void attachAll(ServedModel m) {
        plugins.active().forEach((pluginId, factories) -> factories.forEach(f -> m.attach(pluginId, f)));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() != null
                && t.getMessage().contains(String.valueOf(t.getCause().getMessage()))) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** Whether a directory looks like a model directory (used by listings). */
    static boolean isModelDir(Path dir) {
        return Files.isRegularFile(dir.resolve(BertModel.CONFIG_FILE));
    }
}
