package io.recurate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/recurate}: the one command. */
@Command(name = "recurate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Iterated corpus curation on Kafka.", "",
                "Every option is read from its flag, else from the environment variable RECURATE_<OPTION> "
                        + "(e.g. RECURATE_BOOTSTRAP_SERVERS), else from the properties file named by RECURATE_CONFIG "
                        + "(default ./recurate.properties; keys are option names without dashes, e.g. "
                        + "bootstrap-servers=host:9092), else from its default.", ""},
        subcommands = {UpCommand.class, DownCommand.class, PublishCommand.class, RunCommand.class, ExportCommand.class, ReportCommand.class, AuditCommand.class, TopicsCommand.class, ModelCommand.class,
                ModelsCommand.class, PassCommand.class, ScorerCommand.class, TrainerCommand.class,
                BenchCommand.class,
                RegistryCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    /** Exit code of a process ended by a JVM error (out of memory, say): EX_SOFTWARE. */
    static final int EXIT_FATAL = 70;

    public static void main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable e) {
            fatal(e);
            return;
        }
        System.exit(code);
    }

    /**
     * An error the command did not handle ends the process. Left alone, a scorer or trainer whose main
     * thread died of OutOfMemoryError would live on (Kafka's and the metrics server's threads keep the
     * JVM up) doing nothing, and the pass waiting for it would wait for ever; ended with a non-zero code,
     * its supervisor restarts it and the work resumes from Kafka.
     */
    private static void uncaught(Thread thread, Throwable e) {
        if (e instanceof VirtualMachineError) {
            fatal(e);
        }
        System.err.println("Exception in thread \"" + thread.getName() + "\": " + e);
        e.printStackTrace();
    }

    private static void fatal(Throwable e) {
        try {
            System.err.println("recurate: fatal " + e + (e instanceof OutOfMemoryError
                    ? " (give the JVM more heap: RECURATE_JAVA_OPTS=-Xmx4g, or a smaller --buckets or --dim)" : ""));
            e.printStackTrace();
        } finally {
            Runtime.getRuntime().halt(EXIT_FATAL); // no shutdown hooks: after such an error they may hang too
        }
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setDefaultValueProvider(ConfigDefaults.fromEnvironment());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // A user error or a failure we can explain: one clear line, no stack trace.
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            if (System.getenv("RECURATE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"recurate " + (v == null ? "(development build)" : v)};
        }
    }
}
