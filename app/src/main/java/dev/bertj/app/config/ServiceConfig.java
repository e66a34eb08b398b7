package dev.bertj.app.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the service, under {@code bertj.*} in {@code application.properties}, the environment
 * ({@code BERTJ_AUTH_TOKEN}, ...) or system properties. docs/service.md lists them with their defaults.
 */
@ConfigMapping(prefix = "bertj")
public interface ServiceConfig {

    /** Directories the service reads and writes; nothing outside them is touched on a client's behalf. */
    Dirs dirs();

    /** The models loaded at startup. */
    Models models();

    Auth auth();

    Limits limits();

    Batcher batcher();

    Plugins plugins();

    Jobs jobs();

    interface Dirs {
        /** Models that {@code POST /v1/models} may load by directory name, and where fine-tuning jobs write. */
        @WithDefault("${user.home}/.bertj/models")
        Path models();

        /** The drop-in directory for head jars; uploads land here. */
        @WithDefault("${user.home}/.bertj/plugins")
        Path plugins();

        /** Job state (one directory per job), so jobs survive a restart. */
        @WithDefault("${user.home}/.bertj/jobs")
        Path jobs();

        /** Training data that jobs may read by relative path; nothing outside it is readable through a job. */
        @WithDefault("${user.home}/.bertj/data")
        Path data();
    }

    interface Models {
        /** Served when a request names no model; loaded at startup, readiness waits for it. */
        @WithName("default")
        @WithDefault("bert-base-uncased")
        String defaultModel();

        /** Further models loaded at startup (well-known names or directory names under the models directory). */
        Optional<List<String>> preload();
    }

    interface Auth {
        /**
         * The bearer token for the management endpoints (models, plugins, jobs). Without one they are disabled,
         * never open.
         */
        Optional<String> token();

        /** Whether the inference endpoints need the token too. */
        @WithDefault("false")
        boolean protectInference();
    }

    interface Limits {
        /** Largest JSON request body; larger ones get 413. */
        @WithDefault("1048576")
        long maxBodyBytes();

        /** Longest single text, in characters. */
        @WithDefault("100000")
        int maxTextChars();

        /** Most texts in one request. */
        @WithDefault("256")
        int maxInputs();

        /** Largest top_k accepted. */
        @WithDefault("1000")
        int maxTopK();

        /** Largest num_beams / max_length for translation. */
        @WithDefault("16")
        int maxBeams();

        @WithDefault("512")
        int maxGenerationLength();
    }

    interface Batcher {
        /** Token budget of one encoder batch: sequences x padded length. */
        @WithDefault("8192")
        int maxBatchTokens();

        /** Most sequences in one encoder batch. */
        @WithDefault("64")
        int maxBatchSize();

        /** How long the first request of a batch waits for company. */
        @WithDefault("5ms")
        Duration maxWait();

        /** Sequences that may wait per encoder; beyond it requests get 429. */
        @WithDefault("512")
        int queueCapacity();

        /** A request not answered within this time fails with 503 and its queued work is dropped. */
        @WithDefault("30s")
        Duration requestTimeout();
    }

    interface Plugins {
        /** Largest head jar accepted by {@code POST /v1/plugins}. */
        @WithDefault("67108864")
        long maxUploadBytes();

        /** A head call (one request) running longer than this is cancelled (504). */
        @WithDefault("60s")
        Duration callTimeout();

        /** Threads running head calls, shared by all heads. */
        @WithDefault("256")
        int callThreads();

        /** Calls one head plugin may have in flight (below call-threads, so one hanging head cannot take them all). */
        @WithDefault("192")
        int maxCallsPerPlugin();
    }

    interface Jobs {
        /** Jobs that train at the same time; the rest wait in order. */
        @WithDefault("1")
        int maxConcurrent();

        /**
         * What happens to a job a restart interrupted: resumed from its last checkpoint (true), or marked failed
         * with that reason (false).
         */
        @WithDefault("true")
        boolean resumeOnRestart();

        /** Largest inline training data ({@code train_text}) in characters. */
        @WithDefault("1000000")
        int maxInlineDataChars();
    }
}
