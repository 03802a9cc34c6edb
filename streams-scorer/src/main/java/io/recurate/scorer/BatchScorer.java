package io.recurate.scorer;

import io.recurate.model.score.Scorer;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of buffered records into the records the scorer forwards: decodes each, scores the batch in one call,
 * and makes a kept or removed record and an annotation per document, or a DLQ record per undecodable one. It touches
 * no processor context, so it runs on a scoring thread while the stream thread goes on reading; one batch at a time
 * (its deserializer and writer are not shared).
 */
final class BatchScorer {
    private static final Logger log = LoggerFactory.getLogger(BatchScorer.class);

    /** A record to forward to the named child (sink). */
    record Routed(Record<Object, Object> record, String child) {
    }

    /** What a batch became: the records to forward, in source order, and its counts. */
    record Outcome(List<Routed> records, int size, long kept, long removed, long dlq, long nanos) {
    }

    private final PassContext pass;
    private final Deserializer<Object> documents;
    private final ScoredDocumentWriter outputs;

    BatchScorer(PassContext pass, Deserializer<Object> documents, ScoredDocumentWriter outputs) {
        this.pass = pass;
        this.documents = documents;
        this.outputs = outputs;
    }

    /**
     * @param scorer the model of the pass, taken when the batch was handed over
     * @param now    the decisions' time
     */
    Outcome score(List<BufferedRecord> batch, Scorer scorer, Instant now) {
        long started = System.nanoTime();
        List<BufferedRecord> scorable = new ArrayList<>(batch.size());
        List<Document> docs = new ArrayList<>(batch.size());
        List<Routed> out = new ArrayList<>(2 * batch.size());
        long dlq = 0;
        for (BufferedRecord r : batch) {
            try {
                docs.add(decode(r));
                scorable.add(r);
            } catch (RuntimeException e) {
                out.add(toDlq(r, e));
                dlq++;
            }
        }
        long kept = 0;
        long removed = 0;
        if (!docs.isEmpty()) {
            float[] scores = scorer.score(docs.stream().map(Document::getId).toList(),
                    docs.stream().map(Document::getText).toList());
            for (int i = 0; i < scores.length; i++) {
                BufferedRecord r = scorable.get(i);
                Document doc = docs.get(i);
                Decision decision = scores[i] >= pass.threshold() ? Decision.REMOVED : Decision.KEPT;
                String key = r.key() != null ? new String(r.key(), StandardCharsets.UTF_8) : doc.getId();
                ScoredDocument scored = new ScoredDocument(doc, pass.pass(), pass.modelVersion(), scores[i], decision,
                        pass.threshold(), now);
                Annotation annotation = new Annotation(doc.getId(), pass.pass(), pass.modelVersion(), scores[i], decision,
                        pass.threshold(), now);
                out.add(new Routed(new Record<>(key, outputs.write(r.value(), scored), r.timestamp(), outputHeaders(r)),
                        decision == Decision.KEPT ? TopologyNames.KEPT : TopologyNames.REMOVED));
                out.add(new Routed(new Record<>(key, annotation, r.timestamp(), outputHeaders(r)),
                        TopologyNames.ANNOTATIONS));
                if (decision == Decision.KEPT) {
                    kept++;
                } else {
                    removed++;
                }
            }
        }
        return new Outcome(out, batch.size(), kept, removed, dlq, System.nanoTime() - started);
    }

    /** The source holds Documents (ingest) or ScoredDocuments (a previous pass's kept topic). */
    private Document decode(BufferedRecord r) {
        if (r.value() == null) {
            throw new IllegalArgumentException("record has no value (a tombstone), so there is no document to score");
        }
        Object value = documents.deserialize(r.topic(), r.headerCopy(), ByteBuffer.wrap(r.value()));
        Document doc;
        if (value instanceof Document d) {
            doc = d;
        } else if (value instanceof ScoredDocument s) {
            doc = s.getDocument();
        } else {
            throw new IllegalArgumentException("record holds " + (value == null ? "null" : value.getClass().getSimpleName())
                    + ", expected a Document or ScoredDocument");
        }
        if (doc.getText() == null) {
            throw new IllegalArgumentException("document " + doc.getId() + " has no text");
        }
        return doc;
    }

    private Routed toDlq(BufferedRecord r, RuntimeException e) {
        log.warn("Pass {}: record {}-{}@{} goes to the DLQ: {}", pass.pass(), r.topic(), r.partition(), r.offset(),
                e.getMessage());
        RecordHeaders headers = (RecordHeaders) r.headerCopy();
        headers.add(RecurateHeaders.DLQ_TOPIC, bytes(r.topic()));
        headers.add(RecurateHeaders.DLQ_PARTITION, bytes(Integer.toString(r.partition())));
        headers.add(RecurateHeaders.DLQ_OFFSET, bytes(Long.toString(r.offset())));
        headers.add(RecurateHeaders.DLQ_ERROR_CLASS, bytes(e.getClass().getName()));
        headers.add(RecurateHeaders.DLQ_ERROR_MESSAGE, bytes(String.valueOf(e.getMessage())));
        headers.remove(RecurateHeaders.PASS);
        headers.add(RecurateHeaders.PASS, bytes(Integer.toString(pass.pass())));
        return new Routed(new Record<>(r.key(), r.value(), r.timestamp(), headers), TopologyNames.DLQ);
    }

    private RecordHeaders outputHeaders(BufferedRecord r) {
        RecordHeaders headers = (RecordHeaders) r.headerCopy();
        headers.remove(RecurateHeaders.PASS);
        headers.remove(RecurateHeaders.MODEL_VERSION);
        headers.add(RecurateHeaders.PASS, bytes(Integer.toString(pass.pass())));
        headers.add(RecurateHeaders.MODEL_VERSION, bytes(pass.modelVersion()));
        return headers;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
