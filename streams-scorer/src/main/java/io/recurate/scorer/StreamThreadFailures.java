package io.recurate.scorer;

import io.recurate.service.Causes;
import io.recurate.topics.ClusterWait;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a pass does when one of its stream threads dies. Two kinds of death are the cluster's, not the
 * pass's, and a new thread resumes from the last commit (exactly once: the old thread's open transaction is
 * aborted when the new producer starts): the cluster did not answer in time (an outage), or the transaction the
 * thread was committing was ended under it (a coordinator that restarted and aborted it, a fenced producer).
 * Anything else fails the pass; so does a run of replacements that keeps failing ({@link #MAX_REPLACEMENTS} within
 * {@link #WINDOW}), rather than replacing threads forever.
 */
final class StreamThreadFailures {
    private static final Logger log = LoggerFactory.getLogger(StreamThreadFailures.class);
    static final int MAX_REPLACEMENTS = 10;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final int pass;
    private final Clock clock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    StreamThreadFailures(int pass, Clock clock) {
        this.pass = pass;
        this.clock = clock;
    }

    /** REPLACE_THREAD for a failure the cluster caused and a new thread can resume from; else SHUTDOWN_CLIENT. */
    synchronized StreamThreadExceptionResponse respond(Throwable e) {
        String cause;
        if (ClusterWait.isOutage(e)) {
            cause = "gave up waiting for the cluster";
        } else if (isEndedTransaction(e)) {
            cause = "lost its transaction";
        } else if (isTimedOutTransactionCall(e)) {
            cause = "could not end its transaction while the cluster was away";
        } else {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = clock.millis();
        while (!replacements.isEmpty() && replacements.peekFirst() < now - WINDOW.toMillis()) {
            replacements.removeFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            log.error("Pass {}: {} stream threads were replaced within {} minutes and this one {} too ({}); the pass "
                    + "stops", pass, replacements.size(), WINDOW.toMinutes(), cause, Causes.describe(e));
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        log.warn("Pass {}: a stream thread {} ({}); a new one resumes from the last commit", pass, cause,
                Causes.describe(e));
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * The producer refuses every call after a commit or abort that timed out (an outage longer than
     * {@code max.block.ms}) until that call is retried, which Streams does not do: a new thread's producer aborts the
     * open transaction instead. Kafka says so only in an IllegalStateException's message.
     */
    static boolean isTimedOutTransactionCall(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalStateException && t.getMessage() != null
                    && t.getMessage().contains("timed out and must be retried")) {
                return true;
            }
        }
        return false;
    }

    static boolean isEndedTransaction(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidTxnStateException || t instanceof TransactionAbortedException
                    || t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }
}
