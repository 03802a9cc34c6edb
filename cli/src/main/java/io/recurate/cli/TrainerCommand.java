package io.recurate.cli;

import io.recurate.model.onnx.OnnxExporter;
import io.recurate.topics.TopicPlan;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.trainer.TrainerService;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Run the trainer worker: follows <ns>.passes and, for every SCORED pass, trains the next model "
                + "version from its kept and removed documents plus the constitution, writes the bundle to the artifact "
                + "store and announces it on <ns>.models. Stops on SIGTERM; a killed trainer announces nothing partial."})
final class TrainerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(TrainerCommand.class);

    @Mixin
    ClusterOptions cluster;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--constitution", required = true, paramLabel = "FILE", description = "Labelled exemplars (JSONL).")
    Path constitution;

    @Option(names = "--constitution-weight", defaultValue = "5", description = "Weight of an exemplar (default: ${DEFAULT-VALUE}).")
    float constitutionWeight;

    @Option(names = "--max-per-class", defaultValue = "200000", description = "Most documents per class read from a pass (default: ${DEFAULT-VALUE}).")
    int maxPerClass;

    @Option(names = "--artifacts", paramLabel = "DIR", description = "Artifact store (default: <home>/models/<namespace>).")
    Path artifacts;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Threshold recorded in new versions (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Mixin
    ModelCommand.TrainOptions training;

    @Mixin
    PolicyOptions policy;

    @Override
    public Integer call() {
        ClusterOptions.Cluster resolved = cluster.resolve();
        log.info("Cluster: {}", resolved.describe());
        TrainerConfig config = new TrainerConfig(resolved.kafkaConfig(),
                artifacts != null ? artifacts : cluster.home.resolve("models").resolve(resolved.namespace()), "filter",
                constitution, constitutionWeight, maxPerClass, training.spec(), training.settings(), OnnxExporter.defaults(),
                threshold, policy.resolve());
        var endpoint = metrics.open("trainer", 9405);
        TrainerService service = new TrainerService(config, resolved.topics(new TopicPlan(resolved.namespace(), 6, (short) 1)),
                endpoint.registry());
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "trainer-stop"));
        service.run();
        return 0;
    }
}
