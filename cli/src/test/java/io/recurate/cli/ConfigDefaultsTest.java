package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class ConfigDefaultsTest {

    @Command(name = "probe")
    static final class Probe {
        @Option(names = "--bootstrap-servers") String bootstrap;
        @Option(names = "--namespace", defaultValue = "recurate") String namespace;
        @Option(names = "--partitions", defaultValue = "6") int partitions;
    }

    private static Probe parse(Map<String, String> env, Properties file, String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).setDefaultValueProvider(new ConfigDefaults(env, file)).parseArgs(args);
        return probe;
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() {
        Properties file = new Properties();
        file.setProperty("bootstrap-servers", "file:9092");
        file.setProperty("namespace", "from-file");
        file.setProperty("partitions", "3");
        Map<String, String> env = Map.of("RECURATE_BOOTSTRAP_SERVERS", "env:9092", "RECURATE_NAMESPACE", "from-env");

        Probe probe = parse(env, file, "--namespace", "from-flag");
        assertThat(probe.namespace).isEqualTo("from-flag");
        assertThat(probe.bootstrap).isEqualTo("env:9092");
        assertThat(probe.partitions).isEqualTo(3);

        Probe defaults = parse(Map.of(), new Properties());
        assertThat(defaults.namespace).isEqualTo("recurate");
        assertThat(defaults.partitions).isEqualTo(6);
        assertThat(defaults.bootstrap).isNull();
    }

    @Test
    void everyCommandHasHelp() {
        CommandLine cl = Main.commandLine();
        for (String[] path : new String[][] {{"up"}, {"down"}, {"run"}, {"topics"}, {"topics", "create"},
                {"topics", "describe"}, {"topics", "delete-pass"}, {"registry"}, {"model"}, {"model", "train"},
                {"model", "score"}, {"models"}, {"models", "list"}, {"models", "show"}, {"models", "publish"},
                {"models", "promote"}, {"pass"}, {"pass", "rerun"}, {"pass", "diff"}, {"scorer"}, {"trainer"},
                {"bench"}, {"bench", "model"}, {"bench", "scorer"}, {"bench", "loop"}}) {
            CommandLine sub = cl;
            for (String name : path) {
                sub = sub.getSubcommands().get(name);
            }
            assertThat(sub).as(String.join(" ", path)).isNotNull();
            assertThat(sub.getCommandSpec().mixinStandardHelpOptions()).as(String.join(" ", path) + " --help").isTrue();
        }
    }
}
