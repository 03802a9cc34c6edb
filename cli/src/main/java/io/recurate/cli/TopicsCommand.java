package io.recurate.cli;

import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import io.recurate.topics.TopicSpec;
import io.recurate.topics.TopicState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create, describe and delete the topics of a namespace.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Describe.class, TopicsCommand.DeletePass.class})
final class TopicsCommand {

    /** Options every topics subcommand shares: the cluster, whose options include the plan's shape. */
    static final class PlanOptions {
        @Mixin
        ClusterOptions cluster;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create the namespace's topics (and a pass's, with --pass) and register their value schemas.",
                    "Idempotent: existing topics are verified, and one whose settings differ from the plan is reported",
                    "and makes the command fail (exit 3) instead of being used."})
    static final class Create implements Callable<Integer> {
        @Mixin
        PlanOptions options;

        @Option(names = "--pass", paramLabel = "N", description = "Also create the kept and removed topics of pass N.")
        Integer pass;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ClusterOptions.Cluster cluster = options.cluster.resolve();
            TopicPlan plan = cluster.plan();
            List<TopicSpec> specs = new ArrayList<>(plan.baseTopics());
            specs.add(plan.schemas());
            if (pass != null) {
                specs.addAll(plan.passTopics(pass));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("Cluster: " + cluster.describe());
            try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
                Map<String, TopicAdmin.Outcome> outcomes;
                try {
                    outcomes = admin.ensure(specs);
                } catch (io.recurate.topics.TopicDriftException e) {
                    spec.commandLine().getErr().println(e.getMessage());
                    return 3;
                }
                outcomes.forEach((topic, outcome) -> out.printf("  %-40s %s%n", topic,
                        outcome == TopicAdmin.Outcome.CREATED ? "created" : "exists, matches the plan"));
                Map<String, Integer> ids = admin.registerSchemas(specs, cluster.registry());
                ids.forEach((subject, id) -> out.printf("  schema %-33s id %d%n", subject, id));
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show the namespace's topics as the cluster has them, and how they differ from the plan.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        PlanOptions options;

        @Option(names = "--passes", defaultValue = "0", paramLabel = "N",
                description = "Also describe the topics of passes 1..N (default: the passes that exist).")
        int passes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ClusterOptions.Cluster cluster = options.cluster.resolve();
            TopicPlan plan = cluster.plan();
            PrintWriter out = spec.commandLine().getOut();
            try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
                List<TopicSpec> specs = new ArrayList<>(plan.baseTopics());
                int lastPass = Math.max(passes, admin.existingTopics().stream().mapToInt(plan::passOf).max().orElse(0));
                for (int n = 1; n <= lastPass; n++) {
                    specs.addAll(plan.passTopics(n));
                }
                out.printf("%-40s %10s %11s  %s%n", "TOPIC", "PARTITIONS", "REPLICATION", "CONFIGS");
                for (TopicState state : admin.describe(specs).values()) {
                    if (!state.exists()) {
                        out.printf("%-40s %10s %11s  %s%n", state.name(), "-", "-", "(missing)");
                    } else {
                        out.printf("%-40s %10d %11d  %s%n", state.name(), state.partitions(), state.replication(),
                                state.configs());
                    }
                }
                var drifts = admin.verify(specs.stream().filter(s -> admin.existingTopics().contains(s.name())).toList());
                if (!drifts.isEmpty()) {
                    out.println();
                    out.println("Differences from the plan:");
                    drifts.forEach(d -> out.println("  " + d));
                    return 3;
                }
            }
            return 0;
        }
    }

    @Command(name = "delete-pass", mixinStandardHelpOptions = true,
            description = "Delete the kept and removed topics of pass N (to rerun it from scratch).")
    static final class DeletePass implements Callable<Integer> {
        @Mixin
        PlanOptions options;

        @Parameters(paramLabel = "N", description = "Pass number.")
        int pass;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ClusterOptions.Cluster cluster = options.cluster.resolve();
            try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
                List<String> deleted = admin.deleteTopics(cluster.plan().passTopics(pass));
                spec.commandLine().getOut().println(deleted.isEmpty() ? "Pass " + pass + " has no topics."
                        : "Deleted " + String.join(", ", deleted));
            }
            return 0;
        }
    }
}
