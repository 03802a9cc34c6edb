package io.recurate.cli;

import io.recurate.curation.loop.PassReplay;
import io.recurate.schemas.PassCounts;
import io.recurate.topics.TopicPlan;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "pass", mixinStandardHelpOptions = true, description = "Replay and compare passes.",
        subcommands = {PassCommand.Rerun.class, PassCommand.Diff.class})
final class PassCommand {

    static final class Context {
        @Mixin
        ClusterOptions cluster;

        /** A replay scores as the scorer does, with the scorer's options. */
        @Mixin
        ScorerServiceOptions scorer;

        PassReplay replay() {
            ClusterOptions.Cluster resolved = cluster.resolve();
            return new PassReplay(resolved.kafkaConfig(), resolved.topics(), resolved.registry(),
                    scorer.config(resolved, cluster.home), "filter");
        }
    }

    @Command(name = "rerun", mixinStandardHelpOptions = true,
            description = {"Replay pass N from its source. With its pinned model: deletes the pass's outputs, resets its "
                    + "application and scores it again (the decisions must come out the same; the command says whether "
                    + "they did). With --model V: scores it into the variant topics <ns>.pass.N.V.* for comparison.",
                    "Stop scorers working on pass N first. Annotations of the replay are appended to <ns>.annotations. "
                            + "In nested mode a replayed pass N is the source of pass N+1, which is not replayed with it."})
    static final class Rerun implements Callable<Integer> {
        @Mixin
        Context context;

        @Parameters(paramLabel = "N")
        int pass;

        @Option(names = "--model", paramLabel = "V", description = "Replay with this version into variant topics.")
        String model;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PassReplay replay = context.replay();
            Map<String, PassReplay.Decided> before = replay.decisions(pass, null);
            PassCounts counts = replay.rerun(pass, model);
            Map<String, PassReplay.Decided> after = replay.decisions(pass, model);
            PassReplay.Diff diff = PassReplay.diff(before, after);
            out.printf("Pass %d replayed%s: input %d, kept %d, removed %d, dlq %d%n", pass,
                    model == null ? " with its pinned model" : " with model " + model, counts.getInput(), counts.getKept(),
                    counts.getRemoved(), counts.getDlq());
            print(out, diff, model == null ? "the original run" : "the original pass");
            return model == null && diff.changed() + diff.missing() > 0 ? 4 : 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "How many decisions of pass N changed in its replay with model V ('pass rerun N --model V').")
    static final class Diff implements Callable<Integer> {
        @Mixin
        Context context;

        @Parameters(paramLabel = "N")
        int pass;

        @Option(names = "--against", required = true, paramLabel = "V", description = "The model version of the replay.")
        String against;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PassReplay replay = context.replay();
            print(spec.commandLine().getOut(), PassReplay.diff(replay.decisions(pass, null), replay.decisions(pass, against)),
                    "pass " + pass);
            return 0;
        }
    }

    static void print(PrintWriter out, PassReplay.Diff diff, String what) {
        out.printf("Against %s: %d documents, %d decisions identical, %d changed (%d kept -> removed, %d removed -> kept), "
                + "%d missing%n", what, diff.documents(), diff.identical(), diff.changed(), diff.keptToRemoved(),
                diff.removedToKept(), diff.missing());
    }
}
