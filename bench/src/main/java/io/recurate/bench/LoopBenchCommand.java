package io.recurate.bench;

import io.recurate.options.TrainOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.bench.BenchFrontierPage;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.simulate.InMemoryLoop;
import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.curation.simulate.PassResult;
import io.recurate.curation.simulate.SupervisedCeiling;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "loop", mixinStandardHelpOptions = true,
        description = {"Compares the curation policies on labelled corpora: for each corpus and each constitution seed (a "
                + "constitution of --exemplars exemplars drawn from the corpus), every policy runs --passes passes of the loop "
                + "in memory (the same trainer, featurizer and policies as 'run', without the broker), beside fastText's loop "
                + "by hand (nested, tau 0.5) and the supervised ceiling (the same model trained on the gold labels, 5-fold "
                + "cross-validation, read at each policy's benign retention).",
                "Prints, per corpus and policy, the violating share kept and the benign retention of every pass (mean over "
                        + "seeds), the gap to the ceiling after pass 1 and after the last pass, and which policy the default "
                        + "rule picks; writes bench-loop.html (frontier charts) and bench-loop.json to --out."})
final class LoopBenchCommand implements Callable<Integer> {
    @Option(names = "--corpus", paramLabel = "FILE", description = "Labelled JSONL corpus (repeatable; default: the shared "
            + "dev corpus ../shared/data/spamassassin-dev.jsonl.gz and the --sample corpus).")
    List<Path> corpora;

    @Option(names = "--seeds", split = ",", defaultValue = "11,12,13", description = "Constitution seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--exemplars", defaultValue = "40", description = "Constitution size, half of each label (default: ${DEFAULT-VALUE}).")
    int exemplars;

    @Option(names = "--constitution-weight", defaultValue = "5", description = "Weight of an exemplar (default: ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--passes", defaultValue = "5", description = "Passes (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--policies", split = ",", description = "Policies to compare (default: all of them).")
    List<String> policies;

    @Option(names = "--fasttext", defaultValue = "fasttext", description = "fastText binary; 'none' skips the anchor (default: ${DEFAULT-VALUE}).")
    String fasttext;

    @Option(names = "--out", defaultValue = "target/bench-loop", description = "Output and scratch folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--home", defaultValue = ".recurate", description = "Where the --sample corpus is fetched to (default: ${DEFAULT-VALUE}).")
    Path home;

    @Mixin
    TrainOptions training;

    @Spec
    CommandSpec spec;

    /** One policy's runs on one corpus, one per seed. */
    record Runs(String policy, List<List<PassResult>> bySeed) {
        double mean(int pass, java.util.function.ToDoubleFunction<PassResult> metric) {
            return bySeed.stream().mapToDouble(r -> metric.applyAsDouble(r.get(Math.min(pass, r.size()) - 1))).average()
                    .orElse(Double.NaN);
        }
    }

    /** Everything measured on one corpus. */
    record CorpusBench(String corpus, int documents, double violatingShare, List<Runs> runs, double[][] ceilingCurve,
                       SupervisedCeiling ceiling) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Files.createDirectories(out);
        List<Path> files = corpora != null ? corpora : defaultCorpora(w);
        FeaturizerSpec featurizer = training.spec();
        TrainerSettings passSettings = training.settings();
        TrainerSettings constitutionSettings = passSettings.withEpochs(Math.max(passSettings.epochs(),
                Math.min(100, 5000 / Math.max(1, exemplars)))).withValidationFraction(0);
        List<String> names = policies != null ? policies : new ArrayList<>(CurationPolicies.all().keySet());
        List<CorpusBench> benches = new ArrayList<>();
        for (Path file : files) {
            List<LabelledDocument> corpus = read(file);
            long violating = corpus.stream().filter(LabelledDocument::violating).count();
            w.printf("%nCorpus %s: %d documents, %.2f%% violating; constitutions of %d exemplars drawn with seeds %s; "
                    + "means over the seeds%n", file.getFileName(), corpus.size(), 100.0 * violating / corpus.size(), exemplars,
                    seeds);
            w.flush();
            SupervisedCeiling ceiling = SupervisedCeiling.train(corpus, featurizer, passSettings, 5);
            List<Runs> runs = new ArrayList<>();
            for (String name : names) {
                CurationPolicy policy = CurationPolicies.named(name);
                List<List<PassResult>> bySeed = new ArrayList<>();
                for (long seed : seeds) {
                    bySeed.add(new InMemoryLoop(featurizer, passSettings, constitutionSettings)
                            .run(corpus, constitution(corpus, seed), policy, passes));
                }
                runs.add(new Runs(name, bySeed));
                printRow(w, runs.get(runs.size() - 1), ceiling);
            }
            if (!fasttext.equals("none")) {
                List<List<PassResult>> bySeed = new ArrayList<>();
                for (long seed : seeds) {
                    bySeed.add(new FastTextLoop(fasttext, out.resolve("fasttext"), weight)
                            .run(corpus, constitution(corpus, seed), 0.5f, passes));
                }
                runs.add(new Runs("fastText", bySeed));
                printRow(w, runs.get(runs.size() - 1), ceiling);
            }
            double[][] curve = new double[21][];
            for (int i = 0; i <= 20; i++) {
                double retention = 0.80 + 0.01 * i;
                curve[i] = new double[] {retention, ceiling.violatingShareAt(retention)};
            }
            w.printf("%-10s supervised ceiling: %.2f%% violating kept at 95%% benign retention, %.2f%% at 90%%, %.2f%% at 85%%%n",
                    "ceiling", 100 * ceiling.violatingShareAt(0.95), 100 * ceiling.violatingShareAt(0.90),
                    100 * ceiling.violatingShareAt(0.85));
            benches.add(new CorpusBench(file.getFileName().toString(), corpus.size(), (double) violating / corpus.size(), runs,
                    curve, ceiling));
        }
        String chosen = chooseDefault(w, benches, names);
        Map<String, Object> json = json(benches, chosen);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("bench-loop.json").toFile(), json);
        Files.writeString(out.resolve("bench-loop.html"), BenchFrontierPage.render(json));
        w.printf("%nWrote %s and %s%n", out.resolve("bench-loop.html"), out.resolve("bench-loop.json"));
        w.flush();
        return 0;
    }

    private void printRow(PrintWriter w, Runs runs, SupervisedCeiling ceiling) {
        StringBuilder row = new StringBuilder(String.format("%-10s", runs.policy()));
        for (int p = 1; p <= passes; p++) {
            row.append(String.format("  p%d %5.2f%% @%5.1f%%", p, 100 * runs.mean(p, PassResult::violatingShare),
                    100 * runs.mean(p, PassResult::benignRetention)));
        }
        double gap1 = gap(runs, 1, ceiling);
        double gapN = gap(runs, passes, ceiling);
        row.append(String.format("  | gap to ceiling p1 %.2f, p%d %.2f points (%s closed)", 100 * gap1, passes, 100 * gapN,
                gap1 > 0 ? String.format("%.0f%%", 100 * (1 - gapN / gap1)) : "-"));
        w.println(row);
        w.flush();
    }

    /** Mean over seeds of a pass's violating share minus the ceiling's at the same benign retention. */
    static double gap(Runs runs, int pass, SupervisedCeiling ceiling) {
        return runs.bySeed().stream().mapToDouble(r -> {
            PassResult p = r.get(Math.min(pass, r.size()) - 1);
            return p.violatingShare() - ceiling.violatingShareAt(p.benignRetention());
        }).average().orElse(Double.NaN);
    }

    /**
     * The rule, stated before the bench is run: a policy is eligible when, on every corpus, its mean benign
     * retention after the last pass is at least 90% and its mean final violating share is not above pass 1's;
     * the default is the eligible policy with the lowest mean final gap to the supervised ceiling (averaged
     * over corpora).
     */
    private String chooseDefault(PrintWriter w, List<CorpusBench> benches, List<String> names) {
        String best = null;
        double bestGap = Double.POSITIVE_INFINITY;
        w.printf("%nDefault rule: eligible if, on every corpus, mean benign retention after pass %d >= 90%% and the mean "
                + "final violating share <= pass 1's; the default is the eligible policy with the lowest mean final gap to "
                + "the ceiling.%n", passes);
        for (String name : names) {
            boolean eligible = true;
            double gapSum = 0;
            for (CorpusBench b : benches) {
                Runs r = b.runs().stream().filter(x -> x.policy().equals(name)).findFirst().orElseThrow();
                eligible &= r.mean(passes, PassResult::benignRetention) >= 0.90
                        && r.mean(passes, PassResult::violatingShare) <= r.mean(1, PassResult::violatingShare) + 1e-12;
                gapSum += gap(r, passes, b.ceiling());
            }
            double meanGap = gapSum / Math.max(1, benches.size());
            w.printf("  %-8s %s, mean final gap %.2f points%n", name, eligible ? "eligible" : "not eligible", 100 * meanGap);
            if (eligible && meanGap < bestGap) {
                bestGap = meanGap;
                best = name;
            }
        }
        w.printf("Rule picks: %s (the built-in default is %s)%n", best == null ? "none" : best, CurationPolicies.DEFAULT);
        return best;
    }

    private Map<String, Object> json(List<CorpusBench> benches, String chosen) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("passes", passes);
        root.put("seeds", seeds);
        root.put("exemplars", exemplars);
        root.put("rule_picks", chosen);
        root.put("default", CurationPolicies.DEFAULT);
        List<Object> corporaJson = new ArrayList<>();
        for (CorpusBench b : benches) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("corpus", b.corpus());
            c.put("documents", b.documents());
            c.put("violating_share", b.violatingShare());
            List<Object> ceiling = new ArrayList<>();
            for (double[] point : b.ceilingCurve()) {
                ceiling.add(Map.of("benign_retention", point[0], "violating_share", point[1]));
            }
            c.put("ceiling", ceiling);
            List<Object> policiesJson = new ArrayList<>();
            for (Runs r : b.runs()) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("policy", r.policy());
                List<Object> rows = new ArrayList<>();
                for (int pass = 1; pass <= passes; pass++) {
                    rows.add(Map.of("pass", pass, "violating_share", r.mean(pass, PassResult::violatingShare),
                            "benign_retention", r.mean(pass, PassResult::benignRetention),
                            "restored", r.mean(pass, PassResult::restored),
                            "gap_to_ceiling", gap(r, pass, b.ceiling())));
                }
                p.put("passes", rows);
                policiesJson.add(p);
            }
            c.put("policies", policiesJson);
            corporaJson.add(c);
        }
        root.put("corpora", corporaJson);
        return root;
    }

    private List<Path> defaultCorpora(PrintWriter w) throws Exception {
        List<Path> out = new ArrayList<>();
        Path shared = Path.of("../shared/data/spamassassin-dev.jsonl.gz");
        if (Files.isRegularFile(shared)) {
            out.add(shared);
        } else {
            w.println("No " + shared + " here: benching the --sample corpus only");
        }
        out.add(io.recurate.corpus.SampleCorpus.prepare(home, w).corpus());
        return out;
    }

    /** --exemplars exemplars drawn from the corpus with {@code seed}, half of each label. */
    private List<Example> constitution(List<LabelledDocument> corpus, long seed) {
        List<LabelledDocument> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(seed));
        List<Example> out = new ArrayList<>();
        shuffled.stream().filter(LabelledDocument::violating).limit(exemplars / 2)
                .forEach(d -> out.add(new Example(d.text(), true, weight)));
        shuffled.stream().filter(d -> !d.violating()).limit(exemplars - exemplars / 2)
                .forEach(d -> out.add(new Example(d.text(), false, weight)));
        return out;
    }

    private static List<LabelledDocument> read(Path file) {
        List<LabelledDocument> out = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.SKIP, true)) {
            reader.forEachRemaining((LabelledText t) -> {
                if (t.labelled()) {
                    out.add(new LabelledDocument(t.id(), t.text(), t.violating()));
                }
            });
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " has no labelled documents (a \"label\" of acceptable or violating)");
        }
        return out;
    }
}
