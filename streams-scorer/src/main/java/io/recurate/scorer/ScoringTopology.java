package io.recurate.scorer;

import io.recurate.model.score.Scorer;
import io.recurate.schemas.PassProgress;
import io.recurate.serde.AvroBinarySerde;
import io.recurate.serde.AvroDeserializer;
import io.recurate.registry.RegistryClient;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** The topology of one pass. */
public final class ScoringTopology {
    static final String SOURCE = "source";
    static final String SCORER = "batch-scorer";
    static final String KEPT = "kept";
    static final String REMOVED = "removed";
    static final String ANNOTATIONS = "annotations";
    static final String DLQ = "dlq";
    static final String PROGRESS = "progress";
    static final String BUFFER_STORE = "batch-buffer";
    static final String PROGRESS_STORE = "pass-progress";

    private ScoringTopology() {
    }

    /**
     * @param scorer gives the model the pass is pinned to; called once per batch
     */
    public static Topology build(PassContext pass, RecurateTopics topics, RegistryClient registry, BatchSettings batch,
                                 Supplier<Scorer> scorer) {
        return build(pass, topics, registry, batch, scorer, ScorerMetrics.none(pass.pass(), pass.modelVersion()));
    }

    public static Topology build(PassContext pass, RecurateTopics topics, RegistryClient registry, BatchSettings batch,
                                 Supplier<Scorer> scorer, ScorerMetrics metrics) {
        Topology topology = new Topology();
        // Source: raw bytes, decoded by the scorer, so that an undecodable record reaches the DLQ
        // with its original bytes instead of stopping the stream.
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                pass.sourceTopic());
        // Batch scorer: buffers records in a changelogged store, scores a batch in one call. The stores
        // are persistent so that the state folder keeps the process id, and with it the transactional
        // id: a restarted scorer fences its killed predecessor and aborts its open transaction at once.
        topology.addProcessor(SCORER, () -> new ScoringProcessor(pass, batch, scorer,
                new AvroDeserializer<>(registry, false, null), metrics), SOURCE);
        // Its changelog holds whole documents: allow the same record size as the document topics. Cached, so that a
        // record scored before the next commit (nearly all of them) reaches neither RocksDB nor the changelog but
        // as a tombstone; what is still buffered at a commit is written whole, which a restore needs.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUFFER_STORE),
                Serdes.Long(), new BufferedRecord.StoreSerde()).withCachingEnabled().withLoggingEnabled(Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(TopicPlan.MAX_MESSAGE_BYTES))), SCORER);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS_STORE),
                Serdes.Integer(), new AvroBinarySerde<PassProgress>(PassProgress.getClassSchema())), SCORER);
        // Sinks: the decision topics, one annotation per decision, the DLQ, and the pass's progress.
        var kept = topics.kept(pass.pass(), pass.variant());
        var removed = topics.removed(pass.pass(), pass.variant());
        var annotations = topics.annotations();
        var dlq = topics.dlq();
        var progress = topics.progress(pass.pass(), pass.variant());
        topology.addSink(KEPT, kept.name(), kept.keySerde().serializer(), kept.valueSerde().serializer(), SCORER);
        topology.addSink(REMOVED, removed.name(), removed.keySerde().serializer(), removed.valueSerde().serializer(), SCORER);
        topology.addSink(ANNOTATIONS, annotations.name(), annotations.keySerde().serializer(),
                annotations.valueSerde().serializer(), SCORER);
        topology.addSink(DLQ, dlq.name(), dlq.keySerde().serializer(), dlq.valueSerde().serializer(), SCORER);
        topology.addSink(PROGRESS, progress.name(), progress.keySerde().serializer(), progress.valueSerde().serializer(),
                SCORER);
        return topology;
    }
}
