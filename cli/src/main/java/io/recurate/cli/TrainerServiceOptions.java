package io.recurate.cli;

import io.recurate.curation.policy.CurationPolicy;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.options.TrainOptions;
import io.recurate.curation.versions.TrainerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The trainer's options and the one place its configuration is built from them ('trainer', and 'run'). */
final class TrainerServiceOptions {
    @Option(names = "--constitution", paramLabel = "FILE",
            description = "Labelled exemplars ({\"text\", \"label\": \"acceptable\"|\"violating\"}) that define what is unacceptable.")
    Path constitution;

    @Option(names = "--constitution-weight", defaultValue = "5", description = "Weight of an exemplar (default: ${DEFAULT-VALUE}).")
    float constitutionWeight;

    @Option(names = "--max-per-class", defaultValue = "200000",
            description = "Most documents per class a trainer reads from a pass; a uniform sample beyond (default: ${DEFAULT-VALUE}).")
    int maxPerClass;

    @Option(names = "--artifacts", paramLabel = "DIR", description = "Artifact store for model bundles (default: <home>/models/<namespace>).")
    Path artifacts;

    /** Where the scorers find a version's bundles. */
    enum ArtifactStore { FILE, KAFKA }

    @Option(names = "--artifact-store", defaultValue = "FILE", paramLabel = "file|kafka",
            description = "file: scorers read bundles from --artifacts (a folder every scorer host must see); kafka: "
                    + "bundles are also written to <ns>.bundles and scorers download them with their Kafka settings "
                    + "(default: file).")
    ArtifactStore artifactStore;

    @Mixin
    TrainOptions training;

    /**
     * @param threshold the threshold recorded in new versions
     * @throws IllegalArgumentException without a constitution
     */
    TrainerConfig config(ClusterOptions.Cluster cluster, Path home, float threshold, CurationPolicy policy) {
        if (constitution == null) {
            throw new IllegalArgumentException("A constitution is required: --constitution FILE");
        }
        return new TrainerConfig(cluster.kafkaConfig(),
                artifacts != null ? artifacts : home.resolve("models").resolve(cluster.namespace()), "filter",
                constitution, constitutionWeight, maxPerClass, training.spec(), training.settings(), OnnxExporter.defaults(),
                threshold, policy, artifactStore == ArtifactStore.KAFKA);
    }
}
