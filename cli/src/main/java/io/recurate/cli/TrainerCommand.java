package io.recurate.cli;

import io.recurate.topics.TopicPlan;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.service.ServiceHost;
import io.recurate.trainer.TrainerService;
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

    @Option(names = "--threshold", defaultValue = "0.5", description = "Threshold recorded in new versions (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Mixin
    TrainerServiceOptions trainer;

    @Mixin
    PolicyOptions policy;

    @Override
    public Integer call() throws Exception {
        ClusterOptions.Cluster resolved = cluster.resolve().forServices();
        log.info("Cluster: {}", resolved.describe());
        TrainerConfig config = trainer.config(resolved, cluster.home, threshold, policy.resolve(trainer.usesEncoder()));
        var endpoint = metrics.open("trainer", 9405);
        TrainerService service = new TrainerService(config, resolved.topics(),
                endpoint.registry());
        return ServiceHost.runInForeground("trainer", service, endpoint);
    }
}
