package io.recurate.ledger;

import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every move a pass's state may make, in one place (as Kafka Streams declares its own in {@code KafkaStreams.State}).
 * A pass is started (RUNNING); its scorer ends it SCORED or FAILED; a trainer marks a scored pass TRAINED; a failed one
 * may be started again, which is a new attempt. {@link PassLedger}'s move methods check each write against the latest
 * record of the pass, so that no writer acts on a stale copy.
 *
 * <p>An attempt is one start of a pass, known by its {@code startedAt}: a scorer or trainer that holds the status of an
 * earlier attempt cannot move the pass of a later one.
 */
public final class PassLifecycle {
    private static final Map<PassState, Set<PassState>> MOVES = new EnumMap<>(PassState.class);

    static {
        MOVES.put(PassState.PLANNED, EnumSet.of(PassState.RUNNING));
        MOVES.put(PassState.RUNNING, EnumSet.of(PassState.SCORED, PassState.FAILED));
        MOVES.put(PassState.SCORED, EnumSet.of(PassState.TRAINED));
        MOVES.put(PassState.TRAINED, EnumSet.noneOf(PassState.class));
        MOVES.put(PassState.FAILED, EnumSet.of(PassState.RUNNING));
        MOVES.put(PassState.UNKNOWN, EnumSet.noneOf(PassState.class));
    }

    private PassLifecycle() {
    }

    /** Whether a pass in state {@code from} (null: no such pass yet) may move to {@code to}. */
    public static boolean isValidMove(PassState from, PassState to) {
        if (from == null) {
            return to == PassState.RUNNING;
        }
        return MOVES.get(from).contains(to);
    }

    /**
     * Whether a pass in state {@code latest} is already past {@code to} in the same attempt: a second scorer that
     * finishes (or fails) a pass another has finished, a trainer's echo. Such a move is made already, not refused.
     */
    public static boolean isPast(PassState latest, PassState to) {
        return switch (to) {
            case SCORED -> latest == PassState.TRAINED;
            case FAILED -> latest == PassState.SCORED || latest == PassState.TRAINED;
            default -> false;
        };
    }

    /** What a move of {@code attempt} to {@code to} does, given the latest record of the pass. */
    public enum Outcome {
        /** Write the new state. */
        WRITE,
        /** The pass is there or past it already in this attempt: nothing to write. */
        MADE_ALREADY
    }

    /**
     * The one rule every writer of a pass's state goes through.
     *
     * @param latest the pass's latest record, or null when the ledger has none
     * @throws RefusedMoveException when the attempt is not the latest or the lifecycle has no such move
     */
    public static Outcome decide(PassStatus latest, PassStatus attempt, PassState to) {
        if (latest == null) {
            throw new IllegalStateException("Pass " + attempt.getPass() + " has no record in the ledger");
        }
        if (!sameAttempt(latest, attempt)) {
            throw new RefusedMoveException(latest, attempt, to, "The pass was started again since: this copy is stale.");
        }
        if (latest.getState() == to || isPast(latest.getState(), to)) {
            return Outcome.MADE_ALREADY;
        }
        if (!isValidMove(latest.getState(), to)) {
            throw new RefusedMoveException(latest, attempt, to, "That move is not in the pass lifecycle.");
        }
        return Outcome.WRITE;
    }

    /** Whether two statuses are of the same attempt of the same pass. */
    public static boolean sameAttempt(PassStatus a, PassStatus b) {
        return a.getPass() == b.getPass() && Objects.equals(a.getStartedAt(), b.getStartedAt());
    }

    /** "pass 3 (attempt started 2026-12-06T04:10:00Z)". */
    static String describe(PassStatus s) {
        return "pass " + s.getPass() + " (attempt started " + s.getStartedAt() + ")";
    }

    /** A move that the latest record of the pass does not allow; names both states. */
    public static final class RefusedMoveException extends IllegalStateException {
        private final PassState from;
        private final PassState to;

        RefusedMoveException(PassStatus latest, PassStatus attempt, PassState to, String why) {
            super("Cannot move " + describe(attempt) + " to " + to + ": the ledger has " + describe(latest) + " "
                    + latest.getState() + ". " + why);
            this.from = latest.getState();
            this.to = to;
        }

        public PassState from() {
            return from;
        }

        public PassState to() {
            return to;
        }
    }
}
