package io.recurate.scorer;

import io.recurate.model.score.Scorer;
import io.recurate.schemas.PassProgress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
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
 * byte limit, or when its oldest record has waited the maximum wait. A full batch is handed to a scoring thread
 * ({@link BatchScorer}: decoded, scored in one call, made into kept or removed records with an annotation each, or DLQ
 * records) while the stream thread goes on reading the next one; its records are forwarded on the stream thread, in
 * source order, in whichever transaction is open when it is done. A partition has a bounded number of batches in
 * flight, scored side by side: a fetch often holds one partition's records only, and its batches then keep every
 * scoring thread busy.
 * What is buffered or in flight at a commit is recorded as a range of source offsets in a changelogged store (one
 * small entry per partition, not the documents): after a crash or a move to another scorer the task restores the
 * range, reads those records again from the source, and scores them, so a record whose offset was committed is
 * scored, exactly once.
 */
final class ScoringProcessor implements Processor<byte[], byte[], Object, Object> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final PassContext pass;
    private final BatchSettings batch;
    private final Supplier<Scorer> scorer;
    private final Supplier<BatchScorer> newBatchScorer;
    /**
     * One per batch in flight (a BatchScorer scores one batch at a time): batch n uses {@code n % length}. Made anew by
     * every {@link #init}: a batch dropped by {@link #close} may still be running on the old ones.
     */
    private final BatchScorer[] batchScorers;
    private long handedOver;
    /** Times {@link #init} ran on this object: more than once when Streams revived or resumed the task. */
    private int lives;
    private final Executor scoring;
    private final SourceRereader rereader;
    private final ScorerMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Integer, UnscoredRange> unscored;
    private KeyValueStore<Integer, PassProgress> progressStore;
    private PassProgress progress;
    private int partition;
    /** The records read and not yet handed to the scoring thread, in offset order. */
    private final List<BufferedRecord> pending = new ArrayList<>();
    private long pendingBytes;
    private long oldestBufferedAt;
    private boolean progressDirty;
    /** Batches handed over and not yet forwarded, oldest first; they precede {@link #pending} in offset order. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private int inFlightRecords;
    private long inFlightBytes;

    private record InFlight(CompletableFuture<BatchScorer.Outcome> outcome, long firstOffset, long lastOffset, int size,
                            long bytes) {
    }

    /**
     * Batches a partition may have handed over and not forwarded: one more than the scoring threads, so that they all
     * have a batch while the stream thread forwards the last one; two at least.
     */
    static int maxInFlight(int scoringThreads) {
        return Math.max(2, scoringThreads + 1);
    }

    /**
     * @param batchScorers makes the partition's batch scorers, one per batch it may have in flight
     * @param scoring      runs batches ({@code Runnable::run} scores on the stream thread itself)
     * @param maxInFlight  batches handed over and not forwarded at most
     */
    ScoringProcessor(PassContext pass, BatchSettings batch, Supplier<Scorer> scorer, Supplier<BatchScorer> batchScorers,
                     Executor scoring, int maxInFlight, SourceRereader rereader, ScorerMetrics metrics) {
        this.pass = pass;
        this.batch = batch;
        this.scorer = scorer;
        this.newBatchScorer = batchScorers;
        this.batchScorers = new BatchScorer[maxInFlight];
        this.scoring = scoring;
        this.rereader = rereader;
        this.metrics = metrics;
    }

    /**
     * Streams calls {@code init} again on the same processor when it revives a task (after a corrupted commit, e.g.
     * when the broker came back from an outage) or resumes a suspended one: everything of the last life is forgotten
     * first; the committed range alone says what to read again.
     */
    @Override
    public void init(ProcessorContext<Object, Object> context) {
        forgetBuffers();
        boolean revived = lives++ > 0;
        for (int i = 0; i < batchScorers.length; i++) {
            batchScorers[i] = newBatchScorer.get();
        }
        this.context = context;
        this.unscored = context.getStateStore(TopologyNames.BUFFER_STORE);
        this.progressStore = context.getStateStore(TopologyNames.PROGRESS_STORE);
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
            log.info("Pass {} partition {}: offsets {} to {} were buffered at the last commit; read {} records of them "
                            + "again from {} in {} ms, scoring them{}", pass.pass(), partition, range.first(), range.next() - 1,
                    pending.size(), pass.sourceTopic(), (System.nanoTime() - started) / 1_000_000,
                    revived ? " (the task was revived after a failed commit)" : "");
            if (pending.isEmpty()) {
                unscored.delete(partition);
            }
        }
        if (revived || range != null) {
            metrics.taskStarted(revived, pending.size());
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
        forwardIfScored();
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(headers::add);
        BufferedRecord entry = new BufferedRecord(record.key(), record.value(), record.timestamp(), headers,
                meta.topic(), meta.partition(), meta.offset());
        pending.add(entry);
        pendingBytes += entry.size();
        // Cached: only the range a commit finds reaches RocksDB and the changelog, one entry per partition.
        unscored.put(partition, new UnscoredRange(firstUnscoredOffset(), meta.offset() + 1));
        if (pending.size() == 1) {
            oldestBufferedAt = context.currentSystemTimeMs();
            // The buffer is no longer empty: say so in this transaction, so that nobody who sees the
            // committed offset of this record can take the pass for finished.
            emitProgress();
        }
        progressDirty = true;
        if (pending.size() >= batch.maxBatch() || pendingBytes >= batch.maxBytes()) {
            handOver();
        } else {
            // The byte limit bounds what a partition holds, in flight or not: wait for the batches being scored.
            while (!inFlight.isEmpty() && pendingBytes + inFlightBytes >= batch.maxBytes()) {
                forwardOldest(true);
            }
        }
    }

    private void punctuate(long now) {
        forwardIfScored();
        if (!pending.isEmpty() && now - oldestBufferedAt >= batch.maxWait().toMillis()) {
            handOver();
        } else if (progressDirty) {
            emitProgress();
        }
    }

    /**
     * Hands the buffer to the scoring threads as one batch, first waiting for the oldest batch in flight when the
     * partition has as many as it may (the stream thread reads on while they are scored; the bound keeps a slow model
     * from piling batches up).
     */
    private void handOver() {
        while (inFlight.size() >= batchScorers.length) {
            forwardOldest(true);
        }
        List<BufferedRecord> records = List.copyOf(pending);
        Scorer model = scorer.get();
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        // Batches are forwarded in order, so the batch that used this scorer before has been forwarded: it is free.
        BatchScorer batchScorer = batchScorers[(int) (handedOver++ % batchScorers.length)];
        CompletableFuture<BatchScorer.Outcome> outcome =
                CompletableFuture.supplyAsync(() -> batchScorer.score(records, model, now), scoring);
        inFlight.addLast(new InFlight(outcome,
                records.get(0).offset(), records.get(records.size() - 1).offset(), records.size(), pendingBytes));
        inFlightRecords += records.size();
        inFlightBytes += pendingBytes;
        pending.clear();
        pendingBytes = 0;
        forwardIfScored(); // at once when it was scored on this thread
    }

    /** Forwards the batches scored so far, in order (a batch waits for those before it). */
    private void forwardIfScored() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome().isDone()) {
            forwardOldest(false);
        }
    }

    /** Forwards the oldest batch in flight, waiting for it when {@code wait}; a scoring failure fails the stream thread. */
    private void forwardOldest(boolean wait) {
        InFlight oldest = inFlight.peekFirst();
        if (oldest == null || !wait && !oldest.outcome().isDone()) {
            return;
        }
        BatchScorer.Outcome outcome;
        long waitStarted = System.nanoTime();
        boolean waited = !oldest.outcome().isDone();
        try {
            outcome = oldest.outcome().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (waited) {
            metrics.waitedForScoring(System.nanoTime() - waitStarted);
        }
        inFlight.removeFirst();
        inFlightRecords -= oldest.size();
        inFlightBytes -= oldest.bytes();
        for (BatchScorer.Routed r : outcome.records()) {
            context.forward(r.record(), r.child());
        }
        if (inFlight.isEmpty() && pending.isEmpty()) {
            unscored.delete(partition);
        } else {
            unscored.put(partition, new UnscoredRange(firstUnscoredOffset(), lastUnscoredOffset() + 1));
        }
        progress.setKept(progress.getKept() + outcome.kept());
        progress.setRemoved(progress.getRemoved() + outcome.removed());
        progress.setDlq(progress.getDlq() + outcome.dlq());
        emitProgress();
        metrics.batch(outcome.size(), outcome.nanos(), outcome.kept(), outcome.removed(), outcome.dlq());
    }

    private long firstUnscoredOffset() {
        return !inFlight.isEmpty() ? inFlight.peekFirst().firstOffset() : pending.get(0).offset();
    }

    private long lastUnscoredOffset() {
        return !pending.isEmpty() ? pending.get(pending.size() - 1).offset() : inFlight.peekLast().lastOffset();
    }

    private int buffered() {
        return pending.size() + inFlightRecords;
    }

    /**
     * A batch still in flight is dropped: its offsets are in the committed range, so whoever restores this partition
     * scores it again.
     */
    @Override
    public void close() {
        forgetBuffers();
    }

    /** Drops what is buffered and in flight, with its counts: it lies in the committed range, read again by init. */
    private void forgetBuffers() {
        inFlight.forEach(batch -> batch.outcome().cancel(false));
        inFlight.clear();
        inFlightRecords = 0;
        inFlightBytes = 0;
        pending.clear();
        pendingBytes = 0;
        oldestBufferedAt = 0;
        progressDirty = false;
        progress = null;
    }

    /** Counts of flushed records live in the store; input is derived, so it survives a restart too. */
    private void emitProgress() {
        progress.setBuffered(buffered());
        progress.setInput(progress.getKept() + progress.getRemoved() + progress.getDlq() + buffered());
        progress.setUpdatedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()));
        progressStore.put(partition, progress);
        context.forward(new Record<Object, Object>(Integer.toString(partition), PassProgress.newBuilder(progress).build(),
                context.currentSystemTimeMs()), TopologyNames.PROGRESS);
        progressDirty = false;
    }
}
