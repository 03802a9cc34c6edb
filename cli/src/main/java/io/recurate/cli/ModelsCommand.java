package io.recurate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.schemas.ModelVersion;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import io.recurate.ledger.BundleStore;
import io.recurate.ledger.ModelLedger;
import io.recurate.model.bundle.ModelBundle;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List, inspect, publish and promote model versions of a namespace.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Publish.class,
                ModelsCommand.Promote.class})
final class ModelsCommand {

    static final class Context {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--model", defaultValue = "filter", description = "Model name (default: ${DEFAULT-VALUE}).")
        String model;

        ClusterOptions.Cluster resolved;
        RecurateTopics topics;

        ModelLedger ledger() {
            resolved = cluster.resolve();
            topics = resolved.topics();
            try (TopicAdmin admin = new TopicAdmin(resolved.kafkaConfig())) {
                admin.ensure(List.of(topics.plan().models()));
            }
            return new ModelLedger(resolved.kafkaConfig(), topics);
        }

        ModelVersion find(ModelLedger publisher, String version) {
            ModelVersion v = publisher.versions().get(ModelLedger.key(model, version));
            if (v == null) {
                throw new IllegalArgumentException("No version " + version + " of model " + model + " in namespace "
                        + resolved.namespace() + " ('recurate models list' shows them)");
            }
            return v;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Versions with lineage and metrics; * marks the promoted one.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin
        Context context;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ModelLedger publisher = context.ledger()) {
                String promoted = publisher.promoted(context.model).map(ModelVersion::getVersion).orElse("");
                PrintWriter out = spec.commandLine().getOut();
                out.printf("  %-10s %-8s %-6s %-24s %-22s %5s %9s %9s  %s%n", "VERSION", "PARENT", "PASS", "CREATED", "KIND",
                        "FOLDS", "VAL AUC", "EXAMPLES", "SHA256");
                for (ModelVersion v : publisher.versions().values()) {
                    if (!v.getName().equals(context.model)) {
                        continue;
                    }
                    Double auc = v.getMetrics().get("validation_auc");
                    Double examples = v.getMetrics().get("train_examples");
                    out.printf("%s %-10s %-8s %-6s %-24s %-22s %5d %9s %9s  %s%n", v.getVersion().equals(promoted) ? "*" : " ",
                            v.getVersion(), v.getParentVersion() == null ? "-" : v.getParentVersion(),
                            v.getTrainedOnPass() == null ? "-" : v.getTrainedOnPass(), v.getCreatedAt(), v.getKind(),
                            Math.max(1, v.getFolds().size()),
                            auc == null || auc.isNaN() ? "-" : String.format("%.4f", auc),
                            examples == null ? "-" : String.format("%.0f", examples), v.getSha256().substring(0, 12));
                }
                return 0;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One version: provenance, metrics, offsets read.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Context context;

        @Parameters(paramLabel = "VERSION")
        String version;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ModelVersion v;
            try (ModelLedger ledger = context.ledger()) {
                v = context.find(ledger, version);
            }
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", v.getName());
            view.put("version", v.getVersion());
            view.put("parentVersion", v.getParentVersion());
            view.put("trainedOnPass", v.getTrainedOnPass());
            view.put("artifactUri", v.getArtifactUri());
            view.put("sha256", v.getSha256());
            view.put("threshold", v.getThreshold());
            view.put("createdAt", v.getCreatedAt().toString());
            view.put("kind", v.getKind());
            view.put("featurizerSpec", new ObjectMapper().readTree(v.getFeaturizerSpec()));
            view.put("sourceRanges", v.getSourceRanges().stream().map(r -> r.getTopic() + "-" + r.getPartition() + " ["
                    + r.getStartOffset() + ", " + r.getEndOffset() + ")").toList());
            view.put("provenance", v.getProvenance());
            view.put("metrics", v.getMetrics());
            view.put("folds", v.getFolds().stream().map(f -> Map.of("fold", f.getFold(), "artifactUri", f.getArtifactUri(),
                    "sha256", f.getSha256())).toList());
            view.put("calibration", v.getCalibration());
            spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(view));
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publish a bundle trained elsewhere (e.g. on your own infrastructure) as a version of the model.",
                    "It is checked first like any other: sha256, featurizer spec (or tokenizer against the model, for "
                            + "a Hugging Face bundle), ONNX Runtime loads it, probes score as its manifest says."})
    static final class Publish implements Callable<Integer> {
        @Mixin
        Context context;

        @Parameters(paramLabel = "DIR", description = "Bundle folder (model.onnx + manifest.json).")
        Path dir;

        @Option(names = "--model-version", description = "Version to publish it as (default: the manifest's).")
        String version;

        @Option(names = "--promote", description = "Also make it the version the next pass uses.")
        boolean promote;

        @Option(names = "--artifacts", paramLabel = "DIR", description = "The artifact store the bundle is copied into, "
                + "as <model>/<version> (default: <home>/models/<namespace>, the trainer's).")
        Path artifacts;

        @Option(names = "--artifact-store", defaultValue = "FILE", paramLabel = "file|kafka", description = "file: copied "
                + "into --artifacts; kafka: uploaded to <ns>.bundles, as the trainer's --artifact-store (default: file).")
        TrainerServiceOptions.ArtifactStore artifactStore;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ModelLedger publisher = context.ledger()) {
                // Copied (or uploaded), not referred to: editing or deleting DIR later changes nothing that is served.
                ModelVersion v = publisher.announceBundle(dir, context.model, version, (bundle, chosen) -> {
                    if (artifactStore == TrainerServiceOptions.ArtifactStore.KAFKA) {
                        try (TopicAdmin admin = new TopicAdmin(context.resolved.kafkaConfig())) {
                            admin.ensure(List.of(context.topics.plan().bundles()));
                        }
                        return new BundleStore(context.resolved.kafkaConfig()).upload(bundle,
                                context.topics.plan().bundles().name(), context.model + "/" + chosen);
                    }
                    Path store = artifacts != null ? artifacts
                            : context.cluster.home.resolve("models").resolve(context.topics.plan().namespace());
                    Path target = store.resolve(context.model).resolve(chosen);
                    try {
                        Files.createDirectories(target.getParent());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("Cannot create " + target.getParent() + ": " + e.getMessage(), e);
                    }
                    return ModelBundle.copy(bundle, target).toAbsolutePath().toUri().toString();
                });
                if (promote) {
                    publisher.promote(v);
                }
                spec.commandLine().getOut().printf("Published %s %s (digest %s) at %s%s%n", v.getName(), v.getVersion(),
                        v.getSha256().substring(0, 12), v.getArtifactUri(), promote ? ", promoted" : "");
                return 0;
            }
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Make VERSION the one the next pass uses.")
    static final class Promote implements Callable<Integer> {
        @Mixin
        Context context;

        @Parameters(paramLabel = "VERSION")
        String version;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ModelLedger publisher = context.ledger()) {
                publisher.promote(context.find(publisher, version));
            }
            spec.commandLine().getOut().println("Promoted " + context.model + " " + version);
            return 0;
        }
    }
}
