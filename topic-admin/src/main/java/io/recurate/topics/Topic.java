package io.recurate.topics;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic bound to its key and value serdes, so that no producer, consumer or topology spells a
 * topic name or builds a serde by itself.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    @Override
    public String toString() {
        return name;
    }
}
