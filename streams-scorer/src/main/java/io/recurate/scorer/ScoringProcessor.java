package io.recurate.scorer;

import io.recurate.model.score.Scorer;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.ScoredDocument;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers a partition's records in memory and scores them in batches: when the buffer holds the batch size or its
 * byte limit, or when its oldest record has waited the maximum wait. A batch is decoded, scored in one call, routed
 * to kept or removed with an annotation each, all in the task's transaction; undecodable records go to the DLQ.
 * What the buffer holds at a commit is recorded as a range of source offsets in a changelogged store (one small
 * entry per partition, not the documents): after a crash or a move to another scorer the task restores the range,
 * reads those records again from the source, and scores them, so a record whose offset was committed is scored,
 * exactly once.
 */
final class ScoringProcessor implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final PassContext pass;
    private final BatchSettings batch;
    private final Supplier<Scorer> scorer;
    private final Deserializer<Object> documents;
    private final ScoredDocumentWriter outputs;
    private final SourceRereader rereader;
    private final ScorerMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Integer, UnscoredRange> unscored;
    private KeyValueStore<Integer, PassProgress> progressStore;
    private PassProgress progress;
    private int partition;
    /** The records read and not yet scored, in offset order; the store holds their offsets. */
    private final List<BufferedRecord> pending = new ArrayList<>();
    private long firstPendingOffset;
    private long pendingBytes;
    private long oldestBufferedAt;
    private boolean progressDirty;

    ScoringProcessor(PassContext pass, BatchSettings batch, Supplier<Scorer> scorer, Deserializer<Object> documents,
                     ScoredDocumentWriter outputs, SourceRereader rereader, ScorerMetrics metrics) {
        this.outputs = outputs;
        this.rereader = rereader;
        this.metrics = metrics;
        this.pass = pass;
        this.batch = batch;
        this.scorer = scorer;
        this.documents = documents;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.unscored = context.getStateStore(ScoringTopology.BUFFER_STORE);
        this.progressStore = context.getStateStore(ScoringTopology.PROGRESS_STORE);
        this.partition = context.taskId().partition();
        UnscoredRange range = unscored.get(partition);
        if (range != null) {
            long started = System.nanoTime();
            for (BufferedRecord r : rereader.read(pass.sourceTopic(), partition, range)) {
                if (r.offset() < pass.endOffset(partition)) { // as process() does
                    pending.add(r);
                    pendingBytes += r.size();
                }
            }
            firstPendingOffset = range.first();
            log.info("Pass {} partition {}: offsets {} to {} were buffered at the last commit; read {} records of them "
                            + "again from {} in {} ms, scoring them", pass.pass(), partition, range.first(), range.next() - 1,
                    pending.size(), pass.sourceTopic(), (System.nanoTime() - started) / 1_000_000);
            if (pending.isEmpty()) {
                unscored.delete(partition);
            }
        }
        PassProgress stored = progressStore.get(partition);
        progress = stored != null ? stored : new PassProgress(pass.pass(), pass.sourceTopic(), partition, 0L, 0L, 0L, 0L,
                0L, pass.modelVersion(), Instant.now());
        if (!pending.isEmpty()) {
            oldestBufferedAt = 0; // score at the next punctuation
        }
        context.schedule(batch.maxWait(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        if (meta.offset() >= pass.endOffset(meta.partition())) {
            return; // published after the pass started: a later pass scores it
        }
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        BufferedRecord entry = new BufferedRecord(record.key(), record.value(), record.timestamp(), headers,
                meta.topic(), meta.partition(), meta.offset());
        if (pending.isEmpty()) {
            firstPendingOffset = meta.offset();
        }
        pending.add(entry);
        pendingBytes += entry.size();
        // Cached: only the range a commit finds reaches RocksDB and the changelog, one entry per partition.
        unscored.put(partition, new UnscoredRange(firstPendingOffset, meta.offset() + 1));
        if (pending.size() == 1) {
            oldestBufferedAt = context.currentSystemTimeMs();
            // The buffer is no longer empty: say so in this transaction, so that nobody who sees the
            // committed offset of this record can take the pass for finished.
            emitProgress();
        }
        progressDirty = true;
        if (pending.size() >= batch.maxBatch() || pendingBytes >= batch.maxBytes()) {
            flush();
        }
    }

    private void punctuate(long now) {
        if (!pending.isEmpty() && now - oldestBufferedAt >= batch.maxWait().toMillis()) {
            flush();
        } else if (progressDirty) {
            emitProgress();
        }
    }

    /** Scores everything in the buffer in one call and forwards the results. */
    private void flush() {
        long started = System.nanoTime();
        List<BufferedRecord> entries = pending; // cleared below, once every entry is forwarded
        int size = entries.size();
        List<BufferedRecord> scorable = new ArrayList<>(entries.size());
        List<Document> docs = new ArrayList<>(entries.size());
        long dlq = 0;
        for (BufferedRecord r : entries) {
            try {
                docs.add(decode(r));
                scorable.add(r);
            } catch (RuntimeException e) {
                sendToDlq(r, e);
                dlq++;
            }
        }
        long kept = 0;
        long removed = 0;
        if (!docs.isEmpty()) {
            float[] scores = scorer.get().score(docs.stream().map(Document::getId).toList(),
                    docs.stream().map(Document::getText).toList());
            Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
            for (int i = 0; i < scores.length; i++) {
                BufferedRecord r = scorable.get(i);
                Document doc = docs.get(i);
                Decision decision = scores[i] >= pass.threshold() ? Decision.REMOVED : Decision.KEPT;
                String key = r.key() != null ? new String(r.key(), StandardCharsets.UTF_8) : doc.getId();
                RecordHeaders headers = outputHeaders(r);
                ScoredDocument scored = new ScoredDocument(doc, pass.pass(), pass.modelVersion(), scores[i], decision,
                        pass.threshold(), now);
                Annotation annotation = new Annotation(doc.getId(), pass.pass(), pass.modelVersion(), scores[i], decision,
                        pass.threshold(), now);
                context.forward(new Record<Object, Object>(key, outputs.write(r.value(), scored), r.timestamp(), headers),
                        decision == Decision.KEPT ? ScoringTopology.KEPT : ScoringTopology.REMOVED);
                context.forward(new Record<Object, Object>(key, annotation, r.timestamp(), outputHeaders(r)),
                        ScoringTopology.ANNOTATIONS);
                if (decision == Decision.KEPT) {
                    kept++;
                } else {
                    removed++;
                }
            }
        }
        unscored.delete(partition);
        pending.clear();
        pendingBytes = 0;
        progress.setKept(progress.getKept() + kept);
        progress.setRemoved(progress.getRemoved() + removed);
        progress.setDlq(progress.getDlq() + dlq);
        emitProgress();
        metrics.batch(size, System.nanoTime() - started, kept, removed, dlq);
    }

    /** The source holds Documents (ingest) or ScoredDocuments (a previous pass's kept topic). */
    private Document decode(BufferedRecord r) {
        if (r.value() == null) {
            throw new IllegalArgumentException("record has no value (a tombstone), so there is no document to score");
        }
        Object value = documents.deserialize(r.topic(), r.headerCopy(), java.nio.ByteBuffer.wrap(r.value()));
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

    private void sendToDlq(BufferedRecord r, RuntimeException e) {
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
        context.forward(new Record<Object, Object>(r.key(), r.value(), r.timestamp(), headers), ScoringTopology.DLQ);
    }

    private RecordHeaders outputHeaders(BufferedRecord r) {
        RecordHeaders headers = (RecordHeaders) r.headerCopy();
        headers.remove(RecurateHeaders.PASS);
        headers.remove(RecurateHeaders.MODEL_VERSION);
        headers.add(RecurateHeaders.PASS, bytes(Integer.toString(pass.pass())));
        headers.add(RecurateHeaders.MODEL_VERSION, bytes(pass.modelVersion()));
        return headers;
    }

    /** Counts of flushed records live in the store; input is derived, so it survives a restart too. */
    private void emitProgress() {
        progress.setBuffered(pending.size());
        progress.setInput(progress.getKept() + progress.getRemoved() + progress.getDlq() + pending.size());
        progress.setUpdatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()));
        progressStore.put(partition, progress);
        context.forward(new Record<Object, Object>(Integer.toString(partition), PassProgress.newBuilder(progress).build(),
                context.currentSystemTimeMs()), ScoringTopology.PROGRESS);
        progressDirty = false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
