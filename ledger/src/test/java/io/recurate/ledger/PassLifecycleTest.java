package io.recurate.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.ledger.PassLifecycle.Outcome;
import io.recurate.ledger.PassLifecycle.RefusedMoveException;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every move of a pass's state, allowed and refused, and how a write of a stale copy is refused. */
class PassLifecycleTest {
    private static final Instant FIRST = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant SECOND = Instant.parse("2026-12-06T11:00:00Z");

    private static PassStatus status(PassState state, Instant startedAt) {
        return PassStatus.newBuilder().setPass(3).setState(state).setMode(SourceMode.FULL).setSourceTopic("ns.docs.ingest")
                .setModelName("filter").setModelVersion("v2").setThreshold(0.5f).setSourceEndOffsets(java.util.List.of())
                .setCounts(new PassCounts(0L, 0L, 0L, 0L)).setStartedAt(startedAt).build();
    }

    @Test
    void theLifecycleAllowsExactlyTheseMoves() {
        Map<PassState, Set<PassState>> allowed = Map.of(
                PassState.PLANNED, EnumSet.of(PassState.RUNNING),
                PassState.RUNNING, EnumSet.of(PassState.SCORED, PassState.FAILED),
                PassState.SCORED, EnumSet.of(PassState.TRAINED),
                PassState.TRAINED, EnumSet.noneOf(PassState.class),
                PassState.FAILED, EnumSet.of(PassState.RUNNING),
                PassState.UNKNOWN, EnumSet.noneOf(PassState.class));
        for (PassState from : PassState.values()) {
            for (PassState to : PassState.values()) {
                assertThat(PassLifecycle.isValidMove(from, to)).as("%s -> %s", from, to)
                        .isEqualTo(allowed.get(from).contains(to));
            }
        }
        for (PassState to : PassState.values()) {
            assertThat(PassLifecycle.isValidMove(null, to)).as("a new pass -> %s", to).isEqualTo(to == PassState.RUNNING);
        }
    }

    @Test
    void aMoveOfTheLatestAttemptIsWrittenOnceAndAMoveMadeAlreadyWritesNothing() {
        PassStatus running = status(PassState.RUNNING, FIRST);
        assertThat(PassLifecycle.decide(running, running, PassState.SCORED)).isEqualTo(Outcome.WRITE);
        assertThat(PassLifecycle.decide(running, running, PassState.FAILED)).isEqualTo(Outcome.WRITE);
        assertThat(PassLifecycle.decide(status(PassState.SCORED, FIRST), running, PassState.TRAINED)).isEqualTo(Outcome.WRITE);
        // A second scorer finishes or fails a pass the first one finished; a trainer's echo.
        assertThat(PassLifecycle.decide(status(PassState.SCORED, FIRST), running, PassState.SCORED)).isEqualTo(Outcome.MADE_ALREADY);
        assertThat(PassLifecycle.decide(status(PassState.TRAINED, FIRST), running, PassState.SCORED)).isEqualTo(Outcome.MADE_ALREADY);
        assertThat(PassLifecycle.decide(status(PassState.SCORED, FIRST), running, PassState.FAILED)).isEqualTo(Outcome.MADE_ALREADY);
        assertThat(PassLifecycle.decide(status(PassState.TRAINED, FIRST), running, PassState.TRAINED)).isEqualTo(Outcome.MADE_ALREADY);
        assertThat(PassLifecycle.decide(status(PassState.FAILED, FIRST), running, PassState.FAILED)).isEqualTo(Outcome.MADE_ALREADY);
    }

    @Test
    void aMoveOutsideTheLifecycleIsRefusedNamingBothStates() {
        PassStatus running = status(PassState.RUNNING, FIRST);
        assertThatThrownBy(() -> PassLifecycle.decide(running, running, PassState.TRAINED))
                .isInstanceOf(RefusedMoveException.class).hasMessageContaining("to TRAINED")
                .hasMessageContaining("RUNNING").hasMessageContaining("not in the pass lifecycle");
        assertThatThrownBy(() -> PassLifecycle.decide(status(PassState.FAILED, FIRST), running, PassState.SCORED))
                .isInstanceOf(RefusedMoveException.class).hasMessageContaining("FAILED").hasMessageContaining("to SCORED");
        assertThatThrownBy(() -> PassLifecycle.decide(status(PassState.FAILED, FIRST), running, PassState.TRAINED))
                .isInstanceOf(RefusedMoveException.class);
    }

    /** Issue 33: writers acted on copies that may be stale; a pass started again is a new attempt. */
    @Test
    void aCopyOfAnEarlierAttemptCannotMoveThePassStartedAgain() {
        PassStatus first = status(PassState.RUNNING, FIRST);
        PassStatus again = status(PassState.RUNNING, SECOND);
        assertThat(PassLifecycle.sameAttempt(first, again)).isFalse();
        for (PassState to : EnumSet.of(PassState.SCORED, PassState.FAILED, PassState.TRAINED)) {
            assertThatThrownBy(() -> PassLifecycle.decide(again, first, to)).as("%s", to)
                    .isInstanceOf(RefusedMoveException.class).hasMessageContaining("stale")
                    .hasMessageContaining(FIRST.toString()).hasMessageContaining(SECOND.toString());
        }
        assertThatThrownBy(() -> PassLifecycle.decide(null, first, PassState.SCORED))
                .hasMessageContaining("no record");
    }
}
