package io.recurate.scorer;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    private Instant now = Instant.parse("2026-12-02T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    /** What a commit after a broker restart threw when the coordinator had aborted the transaction. */
    private static StreamsException lostTransaction() {
        return new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
    }

    @Test
    void aTransactionEndedUnderTheThreadOrAnOutageReplacesIt() {
        StreamThreadFailures failures = new StreamThreadFailures(1, clock);
        assertThat(failures.respond(lostTransaction())).isEqualTo(REPLACE_THREAD);
        assertThat(failures.respond(new StreamsException(new TimeoutException("no answer")))).isEqualTo(REPLACE_THREAD);
    }

    /** Seen in OutageExactlyOnceIT: an abort that timed out during the outage, then the next commit's begin refused. */
    @Test
    void aTransactionCallThatTimedOutDuringAnOutageReplacesTheThread() {
        StreamThreadFailures failures = new StreamThreadFailures(1, clock);
        assertThat(failures.respond(new StreamsException(new IllegalStateException("Cannot attempt operation "
                + "`beginTransaction` because the previous call to `abortTransaction` timed out and must be retried"))))
                .isEqualTo(REPLACE_THREAD);
    }

    @Test
    void anyOtherFailureStopsThePass() {
        StreamThreadFailures failures = new StreamThreadFailures(1, clock);
        assertThat(failures.respond(new StreamsException(new SerializationException("bad bytes")))).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(failures.respond(new IllegalStateException("bug"))).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void threadsThatKeepDyingStopThePassUntilTheWindowHasPassed() {
        StreamThreadFailures failures = new StreamThreadFailures(1, clock);
        for (int i = 0; i < StreamThreadFailures.MAX_REPLACEMENTS; i++) {
            assertThat(failures.respond(lostTransaction())).isEqualTo(REPLACE_THREAD);
            now = now.plusSeconds(10);
        }
        assertThat(failures.respond(lostTransaction())).isEqualTo(SHUTDOWN_CLIENT);
        now = now.plus(StreamThreadFailures.WINDOW);
        assertThat(failures.respond(lostTransaction())).isEqualTo(REPLACE_THREAD);
    }
}
