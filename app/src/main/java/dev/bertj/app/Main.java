package dev.bertj.app;

import dev.bertj.app.cli.BertCli;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One jar, two faces: {@code serve} starts the Quarkus service; any other command runs the
 * CLI without starting the HTTP server. The static main runs before Quarkus boots, so CLI commands pay
 * nothing for the service.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        if (args.length == 0 || !args[0].equals("serve")) {
            System.exit(BertCli.run(args));
        }
        int exit = dev.bertj.app.cli.ServeCommand.prepare(java.util.Arrays.copyOfRange(args, 1, args.length));
        if (exit >= 0) {
            System.exit(exit);
        }
        Quarkus.run();
    }
}
