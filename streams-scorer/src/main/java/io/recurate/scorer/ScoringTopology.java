package io.recurate.scorer;

import static io.recurate.scorer.TopologyNames.ANNOTATIONS;
import static io.recurate.scorer.TopologyNames.BUFFER_STORE;
import static io.recurate.scorer.TopologyNames.DLQ;
import static io.recurate.scorer.TopologyNames.KEPT;
import static io.recurate.scorer.TopologyNames.PROGRESS;
import static io.recurate.scorer.TopologyNames.PROGRESS_STORE;
import static io.recurate.scorer.TopologyNames.REMOVED;

import io.recurate.model.score.Scorer;
import io.recurate.schemas.PassProgress;
import io.recurate.serde.AvroBinarySerde;
import io.recurate.serde.AvroDeserializer;
import io.recurate.registry.RegistryClient;
import io.recurate.topics.RecurateTopics;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** The topology of one pass. */
public final class ScoringTopology {
    static final String SOURCE = "source";
    static final String SCORER = "batch-scorer";

    private ScoringTopology() {
    }

    /**
     * @param scorer   gives the model the pass is pinned to; called once per batch
     * @param scoring  runs the batches beside the stream threads ({@code Runnable::run}: on them)
     * @param scoringThreads threads of {@code scoring}, which a partition's batches in flight may keep busy
     * @param rereader reads a restored buffer's records again from the source
     */
    static Topology build(PassContext pass, RecurateTopics topics, RegistryClient registry, BatchSettings batch,
                          Supplier<Scorer> scorer, Executor scoring, int scoringThreads, SourceRereader rereader,
                          ScorerMetrics metrics) {
        Topology topology = new Topology();
        // Source: raw bytes, decoded by the scorer, so that an undecodable record reaches the DLQ
        // with its original bytes instead of stopping the stream.
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                pass.sourceTopic());
        // Batch scorer: buffers records in memory, scores a batch in one call on a scoring thread while the stream
        // thread reads and writes on (the scoring is most of a pass's CPU time). The stores are persistent so that
        // the state folder keeps the process id, and with it the transactional id: a restarted scorer fences its
        // killed predecessor and aborts its open transaction at once.
        var kept = topics.kept(pass.pass(), pass.variant());
        var removed = topics.removed(pass.pass(), pass.variant());
        topology.addProcessor(SCORER, () -> new ScoringProcessor(pass, batch, scorer, () -> new BatchScorer(pass,
                new AvroDeserializer<>(registry, false, null), new ScoredDocumentWriter(registry,
                kept.valueSerde().serializer(), kept.name(), removed.name())), scoring,
                ScoringProcessor.maxInFlight(scoringThreads), rereader, metrics), SOURCE);
        // What is buffered, as a range of source offsets per partition. Cached: the processor updates it with every
        // record, and a commit writes the last range (or its tombstone) once.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUFFER_STORE),
                Serdes.Integer(), new UnscoredRange.StoreSerde()).withCachingEnabled(), SCORER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE),
                Serdes.Integer(), new AvroBinarySerde<PassProgress>(PassProgress.getClassSchema())), SCORER);
        // Sinks: the decision topics (values written by the processor), one annotation per decision, the DLQ, and the
        // pass's progress.
        var annotations = topics.annotations();
        var dlq = topics.dlq();
        var progress = topics.progress(pass.pass(), pass.variant());
        topology.addSink(KEPT, kept.name(), kept.keySerde().serializer(), Serdes.ByteArray().serializer(), SCORER);
        topology.addSink(REMOVED, removed.name(), removed.keySerde().serializer(), Serdes.ByteArray().serializer(), SCORER);
        topology.addSink(ANNOTATIONS, annotations.name(), annotations.keySerde().serializer(),
                annotations.valueSerde().serializer(), SCORER);
        topology.addSink(DLQ, dlq.name(), dlq.keySerde().serializer(), dlq.valueSerde().serializer(), SCORER);
        topology.addSink(PROGRESS, progress.name(), progress.keySerde().serializer(), progress.valueSerde().serializer(),
                SCORER);
        return topology;
    }
}
