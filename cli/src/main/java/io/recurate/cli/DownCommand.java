package io.recurate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop the embedded broker and schema registry started by 'recurate up'. Their data stays under --home.")
final class DownCommand implements Callable<Integer> {
    @Option(names = "--home", defaultValue = ".recurate", paramLabel = "DIR",
            description = "Folder of the services' data and state (default: ${DEFAULT-VALUE}).")
    Path home;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean stopped = new EmbeddedServices(home).stop();
        spec.commandLine().getOut().println(stopped ? "Stopped the embedded broker and schema registry."
                : "Nothing was running.");
        return 0;
    }
}
