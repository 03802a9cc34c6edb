package io.recurate.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassQueueTest {

    private static PassStatus pass(int n, PassState state) {
        return PassStatus.newBuilder().setPass(n).setState(state).setMode(SourceMode.FULL).setSourceTopic("ns.ingest")
                .setModelName("filter").setModelVersion("v" + (n - 1)).setThreshold(0.5f).setSourceEndOffsets(List.of())
                .setCounts(new PassCounts(10L, 9L, 1L, 0L)).setStartedAt(Instant.EPOCH).build();
    }

    @Test
    void onlyScoredPassesWaitAndTheLowestComesFirst() {
        PassQueue queue = new PassQueue(30_000);
        queue.update(pass(3, PassState.SCORED));
        queue.update(pass(1, PassState.TRAINED));
        queue.update(pass(2, PassState.SCORED));
        queue.update(pass(4, PassState.RUNNING));
        queue.update(pass(5, PassState.FAILED));
        assertThat(queue.next(0)).map(PassStatus::getPass).contains(2);
        assertThat(queue.trained(pass(2, PassState.SCORED)).getState()).isEqualTo(PassState.TRAINED);
        assertThat(queue.next(0)).map(PassStatus::getPass).contains(3);
        queue.trained(pass(3, PassState.SCORED));
        assertThat(queue.next(0)).isEmpty();
    }

    @Test
    void theLedgersNewestStateWins() {
        // A pass rerun goes back to RUNNING, then SCORED again: it is trained again only once it is SCORED.
        PassQueue queue = new PassQueue(30_000);
        queue.update(pass(1, PassState.SCORED));
        queue.update(pass(1, PassState.RUNNING));
        assertThat(queue.next(0)).isEmpty();
        queue.update(pass(1, PassState.SCORED));
        assertThat(queue.next(0)).map(PassStatus::getPass).contains(1);
    }

    @Test
    void aFailureHoldsTheQueueForTheBackoffThenTheSamePassIsTriedAgain() {
        PassQueue queue = new PassQueue(30_000);
        queue.update(pass(1, PassState.SCORED));
        queue.failed(1_000);
        assertThat(queue.next(1_000)).isEmpty();
        assertThat(queue.next(30_999)).isEmpty();
        assertThat(queue.next(31_000)).map(PassStatus::getPass).contains(1);
    }
}
