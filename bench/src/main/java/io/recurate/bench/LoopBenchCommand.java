package io.recurate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.policy.NaiveBayesEm;
import io.recurate.curation.simulate.InMemoryLoop;
import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.curation.simulate.LoopModels;
import io.recurate.curation.simulate.PassResult;
import io.recurate.curation.simulate.SupervisedCeiling;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.transformer.LogisticHead;
import io.recurate.options.TrainOptions;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "loop", mixinStandardHelpOptions = true,
        description = {"Compares the curation policies on labelled corpora, each also subsampled to --prevalences "
                + "violating, with constitutions of --exemplars exemplars drawn with each of --seeds: every policy runs "
                + "--passes passes of the loop in memory (the same policies and learners as 'run', without the broker), "
                + "on each model kind of --encoders (a pretrained encoder's heads, or 'none': the hashed n-gram model).",
                "Prints per run and version the ROC AUC and the violating share a single cut keeps at 90% and 95% benign "
                        + "retention; for the final corpus its violating share and benign retention against v0's scores "
                        + "cut once at the same retention (did iterating beat filtering once?); the supervised ceilings of "
                        + "both model kinds; and the configuration the default rule picks (worst case over every run). "
                        + "Writes bench-loop.html and bench-loop.json to --out."})
final class LoopBenchCommand implements Callable<Integer> {
    @Option(names = "--corpus", paramLabel = "FILE", description = "Labelled JSONL corpus (repeatable; default: the shared "
            + "dev corpus ../shared/data/spamassassin-dev.jsonl.gz and the --sample corpus).")
    List<Path> corpora;

    @Option(names = "--prevalences", split = ",", defaultValue = "0.05,0.10,0.20",
            description = "Violating shares each corpus is subsampled to (the other class kept whole; 0 keeps the corpus "
                    + "as it is) (default: ${DEFAULT-VALUE}).")
    List<Double> prevalences;

    @Option(names = "--seeds", split = ",", defaultValue = "11,12,13", description = "Constitution seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--exemplars", defaultValue = "40", description = "Constitution size, half of each label (default: ${DEFAULT-VALUE}).")
    int exemplars;

    @Option(names = "--constitution-weight", defaultValue = "5", description = "Weight of an exemplar (default: ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--passes", defaultValue = "5", description = "Passes (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--configs", split = ",", paramLabel = "POLICY@MODEL",
            defaultValue = "self-train@e5-small-v2,self-train-hard@e5-small-v2,nb-ramp@none",
            description = "Configurations to compare: a policy and a model kind, a pretrained encoder (e5-small-v2, "
                    + "all-minilm-l6-v2, bge-small-en-v1.5) or none, the hashed n-gram model (default: ${DEFAULT-VALUE}). "
                    + "self-train@none also runs, slowly (SGD): measured, it lowered the n-gram model's AUC.")
    List<String> configs;

    @Option(names = "--max-length", defaultValue = "256", description = "Encoder tokens per document (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--out", defaultValue = "target/bench-loop", description = "Output and scratch folder; embeddings are "
            + "kept under it and reused by the next run (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--home", defaultValue = ".recurate", description = "Where the --sample corpus and encoders are fetched "
            + "to (default: ${DEFAULT-VALUE}).")
    Path home;

    @Mixin
    TrainOptions training;

    @Spec
    CommandSpec spec;

    /** One configuration's runs on one corpus variant, one per seed. */
    record Runs(String config, List<List<PassResult>> bySeed) {
        double mean(int pass, java.util.function.ToDoubleFunction<PassResult> metric) {
            return bySeed.stream().mapToDouble(r -> metric.applyAsDouble(r.get(Math.min(pass, r.size()) - 1))).average()
                    .orElse(Double.NaN);
        }

        PassResult last(List<PassResult> run) {
            return run.get(run.size() - 1);
        }
    }

    /** Everything measured on one corpus at one prevalence. */
    record Variant(String corpus, int documents, double violatingShare, List<Runs> runs, Map<String, SupervisedCeiling> ceilings) {
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
        w.printf("Rule, stated before the runs: a configuration (policy and model kind) is eligible when in every run "
                + "(corpus x prevalence x seed) the final corpus keeps at least 90%% of the acceptable documents and the "
                + "last version's AUC is at least v0's; the default is the eligible one whose worst run beats v0 cut once at "
                + "the same benign retention by the most (final violating share minus v0's, the largest over runs).%n");
        List<Variant> variants = new ArrayList<>();
        for (Path file : files) {
            List<LabelledDocument> full = read(file);
            Map<String, LoopModels> kinds = new LinkedHashMap<>();
            for (String encoder : configs.stream().map(LoopBenchCommand::model).distinct().toList()) {
                kinds.put(encoder, encoder.equals("none") ? LoopModels.hashed(featurizer, passSettings, constitutionSettings)
                        : LoopModels.heads(encoder, new CorpusEmbeddings(home, out.resolve("embeddings"), maxLength, w)
                                .of(encoder, file, full), LogisticHead.LOOP_L2));
            }
            for (double prevalence : prevalences) {
                List<LabelledDocument> corpus = prevalence <= 0 ? full : subsample(full, prevalence);
                long violating = corpus.stream().filter(LabelledDocument::violating).count();
                String name = file.getFileName() + (prevalence <= 0 ? "" : String.format(" @%.0f%%", 100 * prevalence));
                w.printf("%n%s: %d documents, %.2f%% violating; constitutions of %d exemplars drawn with seeds %s%n", name,
                        corpus.size(), 100.0 * violating / corpus.size(), exemplars, seeds);
                w.printf("%-28s %-24s %-24s %-24s %-26s %s%n", "policy @ model", "AUC v0 -> last (mean)",
                        "viol. kept @90% v0->last", "viol. kept @95% v0->last", "final viol. @ retention",
                        "v0 cut once at that retention | beats v0");
                w.flush();
                Map<String, SupervisedCeiling> ceilings = new LinkedHashMap<>();
                List<Runs> runs = new ArrayList<>();
                for (var kind : kinds.entrySet()) {
                    ceilings.put(kind.getKey(), SupervisedCeiling.train(corpus, kind.getValue(), 5));
                    for (String config : configs) {
                        if (!model(config).equals(kind.getKey())) {
                            continue;
                        }
                        String policyName = config.substring(0, config.indexOf('@'));
                        CurationPolicy policy = CurationPolicies.named(policyName);
                        if (!kind.getKey().equals("none") && policy.training() instanceof NaiveBayesEm) {
                            throw new IllegalArgumentException(config + ": naive Bayes counts hashed n-grams; use "
                                    + policyName + "@none");
                        }
                        List<List<PassResult>> bySeed = new ArrayList<>();
                        for (long seed : seeds) {
                            bySeed.add(new InMemoryLoop(kind.getValue()).run(corpus, constitution(corpus, seed), policy, passes));
                        }
                        Runs r = new Runs(policyName + " @ " + kind.getKey(), bySeed);
                        runs.add(r);
                        printRow(w, r);
                    }
                }
                for (var c : ceilings.entrySet()) {
                    w.printf("%-28s AUC %.4f, violating kept at 90%% benign retention %.2f%%, at 95%% %.2f%%%n",
                            "ceiling @ " + c.getKey(), c.getValue().auc(), 100 * c.getValue().violatingShareAt(0.90),
                            100 * c.getValue().violatingShareAt(0.95));
                }
                variants.add(new Variant(name, corpus.size(), (double) violating / corpus.size(), runs, ceilings));
            }
        }
        String chosen = chooseDefault(w, variants);
        Map<String, Object> json = json(variants, chosen);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("bench-loop.json").toFile(), json);
        Files.writeString(out.resolve("bench-loop.html"), BenchFrontierPage.render(json));
        w.printf("%nWrote %s and %s%n", out.resolve("bench-loop.html"), out.resolve("bench-loop.json"));
        w.flush();
        return 0;
    }

    /** The model kind of a {@code policy@model} configuration. */
    private static String model(String config) {
        int at = config.indexOf('@');
        if (at <= 0 || at == config.length() - 1) {
            throw new IllegalArgumentException("--configs takes POLICY@MODEL (e.g. self-train@e5-small-v2, nb-ramp@none), "
                    + "got " + config);
        }
        return config.substring(at + 1);
    }

    private void printRow(PrintWriter w, Runs r) {
        int wins = 0;
        StringBuilder worst = new StringBuilder();
        for (List<PassResult> run : r.bySeed()) {
            PassResult last = r.last(run);
            wins += last.violatingShare() < last.v0AtRetention() ? 1 : 0;
        }
        w.printf("%-28s %.4f -> %.4f          %5.2f%% -> %5.2f%%        %5.2f%% -> %5.2f%%        %5.2f%% @ %5.1f%%          "
                        + "%5.2f%%  | %d of %d%s%n", r.config(),
                r.mean(1, PassResult::corpusAuc), r.mean(passes, PassResult::corpusAuc),
                100 * r.mean(1, PassResult::violatingAt90), 100 * r.mean(passes, PassResult::violatingAt90),
                100 * r.mean(1, PassResult::violatingAt95), 100 * r.mean(passes, PassResult::violatingAt95),
                100 * r.mean(passes, PassResult::violatingShare), 100 * r.mean(passes, PassResult::benignRetention),
                100 * r.mean(passes, PassResult::v0AtRetention), wins, r.bySeed().size(), worst);
        w.flush();
    }

    /** The rule stated at the start, applied over every run of every variant. */
    private String chooseDefault(PrintWriter w, List<Variant> variants) {
        Map<String, double[]> byConfig = new LinkedHashMap<>(); // worst margin, min retention, min AUC gain, runs, wins
        for (Variant v : variants) {
            for (Runs r : v.runs()) {
                double[] s = byConfig.computeIfAbsent(r.config(), k -> new double[] {Double.NEGATIVE_INFINITY,
                        Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 0});
                for (List<PassResult> run : r.bySeed()) {
                    PassResult last = r.last(run);
                    s[0] = Math.max(s[0], last.violatingShare() - last.v0AtRetention());
                    s[1] = Math.min(s[1], last.benignRetention());
                    s[2] = Math.min(s[2], last.corpusAuc() - run.get(0).corpusAuc());
                    s[3]++;
                    s[4] += last.violatingShare() < last.v0AtRetention() ? 1 : 0;
                }
            }
        }
        w.printf("%nOver every run: worst (final violating share - v0 cut once at the same retention), lowest benign "
                + "retention, smallest AUC change v0 -> last, runs that beat v0%n");
        String best = null;
        double bestMargin = Double.POSITIVE_INFINITY;
        for (var e : byConfig.entrySet()) {
            double[] s = e.getValue();
            boolean eligible = s[1] >= 0.90 && s[2] >= 0;
            w.printf("  %-28s worst %+.2f points, retention >= %.1f%%, AUC change >= %+.4f, beats v0 in %d of %d: %s%n",
                    e.getKey(), 100 * s[0], 100 * s[1], s[2], (int) s[4], (int) s[3], eligible ? "eligible" : "not eligible");
            if (eligible && s[0] < bestMargin) {
                bestMargin = s[0];
                best = e.getKey();
            }
        }
        w.printf("Rule picks: %s (the built-in default is %s with --encoder %s)%n", best == null ? "none" : best,
                CurationPolicies.DEFAULT, io.recurate.model.transformer.PretrainedEncoder.DEFAULT);
        return best;
    }

    private Map<String, Object> json(List<Variant> variants, String chosen) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("passes", passes);
        root.put("seeds", seeds);
        root.put("exemplars", exemplars);
        root.put("rule_picks", chosen);
        root.put("default", CurationPolicies.DEFAULT + " @ " + io.recurate.model.transformer.PretrainedEncoder.DEFAULT);
        List<Object> corporaJson = new ArrayList<>();
        for (Variant v : variants) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("corpus", v.corpus());
            c.put("documents", v.documents());
            c.put("violating_share", v.violatingShare());
            Map<String, Object> ceilings = new LinkedHashMap<>();
            v.ceilings().forEach((kind, ceiling) -> {
                List<Object> curve = new ArrayList<>();
                for (int i = 0; i <= 20; i++) {
                    double retention = 0.80 + 0.01 * i;
                    curve.add(Map.of("benign_retention", retention, "violating_share", ceiling.violatingShareAt(retention)));
                }
                ceilings.put(kind, Map.of("auc", ceiling.auc(), "curve", curve));
            });
            c.put("ceilings", ceilings);
            // The frontier page draws the first kind's ceiling.
            c.put("ceiling", ((Map<?, ?>) ceilings.values().iterator().next()).get("curve"));
            List<Object> policiesJson = new ArrayList<>();
            for (Runs r : v.runs()) {
                SupervisedCeiling own = v.ceilings().get(r.config().substring(r.config().indexOf(" @ ") + 3));
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("policy", r.config());
                List<Object> rows = new ArrayList<>();
                for (int pass = 1; pass <= passes; pass++) {
                    int at = pass;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("pass", pass);
                    row.put("violating_share", r.mean(pass, PassResult::violatingShare));
                    row.put("benign_retention", r.mean(pass, PassResult::benignRetention));
                    row.put("auc", r.mean(pass, PassResult::corpusAuc));
                    row.put("violating_at_90", r.mean(pass, PassResult::violatingAt90));
                    row.put("violating_at_95", r.mean(pass, PassResult::violatingAt95));
                    row.put("v0_at_same_retention", r.mean(pass, PassResult::v0AtRetention));
                    row.put("restored", r.mean(pass, PassResult::restored));
                    row.put("gap_to_ceiling", r.bySeed().stream().mapToDouble(run -> {
                        PassResult x = run.get(Math.min(at, run.size()) - 1);
                        return x.violatingShare() - own.violatingShareAt(x.benignRetention());
                    }).average().orElse(Double.NaN));
                    rows.add(row);
                }
                p.put("passes", rows);
                List<Object> finals = new ArrayList<>();
                for (int s = 0; s < r.bySeed().size(); s++) {
                    PassResult last = r.last(r.bySeed().get(s));
                    finals.add(Map.of("seed", seeds.get(s), "violating_share", last.violatingShare(),
                            "benign_retention", last.benignRetention(), "v0_at_same_retention", last.v0AtRetention(),
                            "auc_v0", r.bySeed().get(s).get(0).corpusAuc(), "auc_last", last.corpusAuc()));
                }
                p.put("final_by_seed", finals);
                policiesJson.add(p);
            }
            c.put("policies", policiesJson);
            corporaJson.add(c);
        }
        root.put("corpora", corporaJson);
        return root;
    }

    private List<Path> defaultCorpora(PrintWriter w) throws Exception {
        List<Path> found = new ArrayList<>();
        Path shared = Path.of("../shared/data/spamassassin-dev.jsonl.gz");
        if (Files.isRegularFile(shared)) {
            found.add(shared);
        } else {
            w.println("No " + shared + " here: benching the --sample corpus only");
        }
        found.add(io.recurate.corpus.SampleCorpus.prepare(home, w).corpus());
        return found;
    }

    /**
     * The corpus with one class subsampled (a fixed seed) so that {@code prevalence} of it is violating: the violating
     * documents when the corpus has more than that, else the acceptable ones.
     */
    static List<LabelledDocument> subsample(List<LabelledDocument> corpus, double prevalence) {
        List<LabelledDocument> violating = new ArrayList<>(corpus.stream().filter(LabelledDocument::violating).toList());
        List<LabelledDocument> acceptable = new ArrayList<>(corpus.stream().filter(d -> !d.violating()).toList());
        Random random = new Random(1);
        Collections.shuffle(violating, random);
        Collections.shuffle(acceptable, random);
        double natural = (double) violating.size() / corpus.size();
        if (natural > prevalence) {
            violating = violating.subList(0, (int) Math.round(prevalence / (1 - prevalence) * acceptable.size()));
        } else {
            acceptable = acceptable.subList(0, (int) Math.round((1 - prevalence) / prevalence * violating.size()));
        }
        java.util.Set<LabelledDocument> keep = new java.util.HashSet<>(violating);
        keep.addAll(acceptable);
        return corpus.stream().filter(keep::contains).toList(); // the corpus's order
    }

    /** --exemplars exemplars drawn from the corpus with {@code seed}, half of each label. */
    private List<Example> constitution(List<LabelledDocument> corpus, long seed) {
        List<LabelledDocument> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(seed));
        List<Example> found = new ArrayList<>();
        shuffled.stream().filter(LabelledDocument::violating).limit(exemplars / 2)
                .forEach(d -> found.add(new Example(d.text(), true, weight)));
        shuffled.stream().filter(d -> !d.violating()).limit(exemplars - exemplars / 2)
                .forEach(d -> found.add(new Example(d.text(), false, weight)));
        return found;
    }

    static List<LabelledDocument> read(Path file) {
        List<LabelledDocument> found = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.SKIP, true)) {
            reader.forEachRemaining((LabelledText t) -> {
                if (t.labelled()) {
                    found.add(new LabelledDocument(t.id(), t.text(), t.violating()));
                }
            });
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(file + " has no labelled documents (a \"label\" of acceptable or violating)");
        }
        return found;
    }
}
