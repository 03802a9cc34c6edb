package io.recurate.topics;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits out a broker outage of any length: an action the cluster did not answer (a Kafka timeout or another
 * retriable error) is tried again every second, and once a minute the log says what is waited for and since
 * when. Anything else (a wakeup, an authorization error, bad data) is not retried.
 */
public final class ClusterWait {
    private static final Logger log = LoggerFactory.getLogger(ClusterWait.class);
    public static final Duration SAY_EVERY = Duration.ofMinutes(1);

    private ClusterWait() {
    }

    public static <T> T until(String what, Supplier<T> action) {
        Instant since = null;
        Instant said = null;
        while (true) {
            Instant attempt = Instant.now();
            try {
                T result = action.get();
                if (since != null) {
                    log.info("The cluster answers again: {} (waited {} s)", what, Duration.between(since, Instant.now()).toSeconds());
                }
                return result;
            } catch (RuntimeException e) {
                if (!isOutage(e)) {
                    throw e;
                }
                Instant now = Instant.now();
                since = since == null ? attempt : since; // the wait began when the first unanswered attempt did
                if (said == null || Duration.between(said, now).compareTo(SAY_EVERY) >= 0) {
                    log.warn("Waiting for the cluster to {} since {} ({}); retrying every second", what, clock(since), e.getMessage());
                    said = now;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A moment as the log says it: the local time of day, to the second. */
    public static String clock(Instant moment) {
        return moment.atZone(java.time.ZoneId.systemDefault()).toLocalTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
    }

    /** A Kafka timeout or retriable error, here or as the cause of a wrapper. */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
