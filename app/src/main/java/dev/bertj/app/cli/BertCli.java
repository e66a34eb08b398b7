package dev.bertj.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./bert} command line. Each subcommand is a small class in this package; register it in
 * {@link #subcommands()}.
 */
@Command(name = "bert", mixinStandardHelpOptions = true, version = "bertj 1.0.0-SNAPSHOT",
        description = "BERT for the JVM: tokenize, embed, convert, pre-train, fine-tune and serve.",
        subcommands = {CommandLine.HelpCommand.class})
public class BertCli implements Runnable {

    /** Subcommands, one line each. */
    static Object[] subcommands() {
        return new Object[] {
            new TokenizeCommand(),
            new FillMaskCommand(),
            new NspCommand(),
            new FineTuneCommand(),
            new EvalCommand(),
            new CorpusCommand(),
            new DatasetCommand(),
            new ConvertCommand(),
            new QaCommand(),
            new ClassifyCommand(),
            new TranslateCommand(),
            new EmbedCommand(),
            new ServeCommand(),
            new PretrainCommand(),
        };
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Runs the CLI and returns the exit code: 0 success, 1 unusable input, 2 usage error. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new BertCli());
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // A clear one-line message for unusable input; the stack trace only when asked for.
            cmd.getErr().println("bert " + cmd.getCommandName() + ": " + describe(ex));
            if (System.getenv("BERTJ_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String describe(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    public static void main(String... args) {
        System.exit(run(args));
    }
}
