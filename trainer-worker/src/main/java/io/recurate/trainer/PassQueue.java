package io.recurate.trainer;

import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which pass the trainer works on next: the latest state of every pass, as the ledger delivers it, and
 * a back-off after a failure. Passes are trained in order of their number; only a SCORED pass waits for
 * training, and a failure holds the queue for the back-off so that a full artifact store is not hammered.
 */
final class PassQueue {
    private final Map<Integer, PassStatus> latest = new TreeMap<>();
    private final long backoffMillis;
    private long retryAt;

    PassQueue(long backoffMillis) {
        this.backoffMillis = backoffMillis;
    }

    /** The pass's newest state from the ledger. */
    void update(PassStatus status) {
        latest.put(status.getPass(), status);
    }

    /** The lowest SCORED pass, unless a failure's back-off still runs at {@code nowMillis}. */
    Optional<PassStatus> next(long nowMillis) {
        if (nowMillis < retryAt) {
            return Optional.empty();
        }
        return latest.values().stream().filter(p -> p.getState() == PassState.SCORED).findFirst();
    }

    /** The pass is trained: it leaves the queue without waiting for the ledger to echo it. */
    PassStatus trained(PassStatus status) {
        PassStatus trained = PassStatus.newBuilder(status).setState(PassState.TRAINED).build();
        latest.put(status.getPass(), trained);
        return trained;
    }

    /** Training failed at {@code nowMillis}: nothing is tried before the back-off ends. */
    void failed(long nowMillis) {
        retryAt = nowMillis + backoffMillis;
    }
}
