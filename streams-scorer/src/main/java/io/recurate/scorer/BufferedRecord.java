package io.recurate.scorer;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input record waiting in the batch buffer, kept exactly as it arrived (raw key and value bytes,
 * timestamp, headers) with where it came from, so that a DLQ entry or an output can be made from it.
 */
record BufferedRecord(byte[] key, byte[] value, long timestamp, List<Header> headers, String topic, int partition,
                      long offset) {

    /** A record read again from the source after a restore. */
    static BufferedRecord of(ConsumerRecord<byte[], byte[]> r) {
        List<Header> headers = new ArrayList<>();
        r.headers().forEach(headers::add);
        return new BufferedRecord(r.key(), r.value(), r.timestamp(), headers, r.topic(), r.partition(), r.offset());
    }

    /** Bytes of key and value, for the batch's byte limit. */
    long size() {
        return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    }

    Headers headerCopy() {
        RecordHeaders copy = new RecordHeaders();
        headers.forEach(h -> copy.add(h.key(), h.value()));
        return copy;
    }
}
