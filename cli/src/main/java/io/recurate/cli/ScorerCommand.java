package io.recurate.cli;

import io.recurate.scorer.ScorerService;
import io.recurate.service.ServiceHost;
import io.recurate.topics.TopicPlan;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = {"Run the scorer service: follows <ns>.models (loads and checks every new model version as it "
                + "arrives) and <ns>.passes, and scores each RUNNING pass with the model version it is pinned to, "
                + "exactly once by default. Stops cleanly on SIGTERM; a restarted scorer resumes a pass where it stopped.",
                "With --pass N it scores pass N only and exits when the pass is complete."})
final class ScorerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ScorerCommand.class);

    @Mixin
    ClusterOptions cluster;

    @Mixin
    MetricsOptions metrics;

    @Mixin
    ScorerServiceOptions scorer;

    @Option(names = "--pass", paramLabel = "N", description = "Score pass N only, then exit.")
    Integer pass;

    @Override
    public Integer call() throws Exception {
        ClusterOptions.Cluster resolved = cluster.resolve().forServices();
        log.info("Cluster: {}", resolved.describe());
        var config = scorer.config(resolved, cluster.home);
        var endpoint = metrics.open("scorer", 9404);
        ScorerService service = new ScorerService(config, resolved.topics(),
                resolved.registry(), endpoint.registry(), pass);
        return ServiceHost.runInForeground("scorer", service, endpoint);
    }
}
