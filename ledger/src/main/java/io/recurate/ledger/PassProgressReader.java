package io.recurate.ledger;

import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassProgress;
import io.recurate.topics.ClusterWait;
import io.recurate.topics.RecurateTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A pass's progress as its scorers committed it ({@code <ns>.pass.<n>.progress}, read committed): the latest record of
 * every source partition. One consumer kept open, reading only what is new: the one way the scorer and the loop read
 * a pass's progress (the loop used to read the topic from its start every second). One thread at a time.
 */
public final class PassProgressReader implements AutoCloseable {
    private final KafkaConsumer<String, PassProgress> consumer;
    private final TopicPartition partition;
    private final Map<Integer, PassProgress> latest = new HashMap<>();

    public PassProgressReader(Map<String, Object> kafkaConfig, RecurateTopics topics, int pass, String variant) {
        var topic = topics.progress(pass, variant);
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        this.partition = new TopicPartition(topic.name(), 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Reads what is new, waiting up to {@code wait} for it; the latest progress per source partition. */
    public Map<Integer, PassProgress> poll(Duration wait) {
        consumer.poll(wait).forEach(r -> latest.put(Integer.parseInt(r.key()), r.value()));
        return Map.copyOf(latest);
    }

    /** Reads to the topic's end as of now (every commit made before the call); waits out an outage. */
    public Map<Integer, PassProgress> readToEnd() {
        long end = ClusterWait.until("read the end of " + partition.topic(),
                () -> consumer.endOffsets(List.of(partition)).get(partition));
        while (ClusterWait.until("read " + partition.topic(), () -> consumer.position(partition)) < end) {
            poll(Duration.ofMillis(100));
        }
        return Map.copyOf(latest);
    }

    /** The sums over the partitions read so far. */
    public PassCounts counts() {
        long input = 0;
        long kept = 0;
        long removed = 0;
        long dlq = 0;
        for (PassProgress p : latest.values()) {
            input += p.getInput();
            kept += p.getKept();
            removed += p.getRemoved();
            dlq += p.getDlq();
        }
        return new PassCounts(input, kept, removed, dlq);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
