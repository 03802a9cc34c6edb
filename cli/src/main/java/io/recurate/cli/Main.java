package io.recurate.cli;

import io.recurate.ledger.NamespaceLease;
import io.recurate.service.Causes;
import io.recurate.service.ServiceHost;
import io.recurate.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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

    // Read before parsing (see ConsoleLogging), declared here for --help and so that picocli accepts it everywhere.
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show more on the console: recurate's debug lines and the Kafka clients' warnings (all of "
                    + "Kafka's lines are always in <home>/logs/recurate-<command>.log).")
    boolean verbose;

    public static void main(String[] args) {
        ConsoleLogging.configure(args); // before the first logger: it decides where log lines go
        StatusLine.install();
        ServiceHost.exitOnJvmError();
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable e) {
            ServiceHost.fatal(e);
            return;
        }
        System.exit(code);
    }

    /** The configured command line, also used by tests. */
    /** The namespace is another process's (sysexits' EX_TEMPFAIL: try again later). */
    public static final int EXIT_IN_USE = 75;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // skip, Skip and SKIP alike; a wrong value is answered with the valid ones.
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setDefaultValueProvider(ConfigDefaults.fromEnvironment());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // A user error or a failure we can explain: one clear line, no stack trace.
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + Causes.describe(e));
            if (System.getenv("RECURATE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof IllegalArgumentException ? 2 : e instanceof NamespaceLease.InUseException ? EXIT_IN_USE : 1;
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
