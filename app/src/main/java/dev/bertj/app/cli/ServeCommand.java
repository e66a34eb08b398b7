package dev.bertj.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./bert serve}: the HTTP service. {@code Main} starts Quarkus for this command; the options here are a
 * shortcut for the {@code bertj.*} configuration (docs/service.md lists every key; environment variables such as
 * {@code BERTJ_AUTH_TOKEN} work too, and are the way to pass the token: a command line is visible to other users).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the models over HTTP: embeddings, fill-mask, next-sentence, question answering, "
                + "classification, translation, models, plugins and fine-tuning jobs; the playground at /.",
                "Default model bert-base-uncased; set the management token with BERTJ_AUTH_TOKEN."})
public class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", description = "HTTP port (default 8080, or BERTJ_PORT).")
    Integer port;

    @Option(names = "--host", description = "Interface to listen on (default 0.0.0.0).")
    String host;

    @Option(names = "--model", description = "The default model: a well-known name or a directory name under the "
            + "models directory (default bert-base-uncased).")
    String model;

    @Option(names = "--models-dir", description = "Models directory (default ~/.bertj/models).")
    Path modelsDir;

    @Option(names = "--plugins-dir", description = "Head plugin drop-in directory (default ~/.bertj/plugins).")
    Path pluginsDir;

    @Option(names = "--jobs-dir", description = "Job state directory (default ~/.bertj/jobs).")
    Path jobsDir;

    @Option(names = "--data-dir", description = "Training data jobs may read (default ~/.bertj/data).")
    Path dataDir;

    @Option(names = "--protect-inference", description = "Require the token for inference endpoints too.")
    boolean protectInference;

    /** The configuration these options stand for, as system properties. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (port != null) {
            p.put("quarkus.http.port", port.toString());
        }
        if (host != null) {
            p.put("quarkus.http.host", host);
        }
        if (model != null) {
            p.put("bertj.models.default", model);
        }
        if (modelsDir != null) {
            p.put("bertj.dirs.models", modelsDir.toAbsolutePath().toString());
        }
        if (pluginsDir != null) {
            p.put("bertj.dirs.plugins", pluginsDir.toAbsolutePath().toString());
        }
        if (jobsDir != null) {
            p.put("bertj.dirs.jobs", jobsDir.toAbsolutePath().toString());
        }
        if (dataDir != null) {
            p.put("bertj.dirs.data", dataDir.toAbsolutePath().toString());
        }
        if (protectInference) {
            p.put("bertj.auth.protect-inference", "true");
        }
        return p;
    }

    /**
     * Parses {@code serve}'s arguments and sets the configuration they stand for.
     *
     * @return the exit code to stop with (help, version or a usage error), or -1 to go on and start the service
     */
    public static int prepare(String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            cl.getErr().println("bert serve: " + e.getMessage());
            cl.usage(cl.getErr());
            return 2;
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(cl.getOut());
            return 0;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(cl.getOut());
            return 0;
        }
        serve.properties().forEach(System::setProperty);
        return -1;
    }

    /** Reached only through {@code BertCli} directly (Main starts the service itself). */
    @Override
    public Integer call() {
        System.err.println("bert serve: start the service with ./bert serve (Main), not through the CLI runner");
        return 2;
    }
}
