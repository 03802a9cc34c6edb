package io.recurate.curation.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PassTallyTest {
    private static final Instant AT = Instant.parse("2026-12-02T08:00:00Z");

    private static ScoredDocument scored(String id, Decision decision, Map<String, String> metadata) {
        Document d = Document.newBuilder().setId(id).setText("text of " + id).setSource("test").setUrl(null)
                .setContentSha256("ab".repeat(32)).setMetadata(metadata).setIngestedAt(AT).build();
        return ScoredDocument.newBuilder().setDocument(d).setPass(2).setModelVersion("v1").setScore(0.5f)
                .setDecision(decision).setThreshold(0.5f).setScoredAt(AT).build();
    }

    private static PassStatus status(long dlq) {
        return PassStatus.newBuilder().setPass(2).setState(PassState.SCORED).setMode(SourceMode.FULL).setSourceTopic("ns.ingest")
                .setModelName("filter").setModelVersion("v1").setThreshold(0.5f).setSourceEndOffsets(List.of())
                .setCounts(new PassCounts(6L, 4L, 2L, dlq)).setStartedAt(AT).build();
    }

    @Test
    void countsByLabelMovesAndDecisionsWithTheDlqBesideTheInput() {
        PassTally tally = new PassTally(GoldLabels.DEFAULT, Set.of(LoopRunner.fingerprint("a"), LoopRunner.fingerprint("e")));
        tally.accept(scored("a", Decision.KEPT, Map.of("label", "violating")));    // restored
        tally.accept(scored("b", Decision.KEPT, Map.of("label", "acceptable")));
        tally.accept(scored("c", Decision.KEPT, Map.of("label", "spam")));         // not a label: unlabelled
        tally.accept(scored("d", Decision.KEPT, Map.of()));
        tally.accept(scored("e", Decision.REMOVED, Map.of("label", "violating"))); // removed again
        tally.accept(scored("f", Decision.REMOVED, Map.of("label", "acceptable"))); // removed anew
        PassReport r = tally.report(status(3), 1.0);
        assertThat(r.input()).as("input is what the pass decided; the DLQ is beside it").isEqualTo(6);
        assertThat(r.dlq()).isEqualTo(3);
        assertThat(r.kept()).isEqualTo(4);
        assertThat(r.removed()).isEqualTo(2);
        assertThat(r.restored()).isEqualTo(1);
        assertThat(r.newlyRemoved()).isEqualTo(1);
        assertThat(List.of(r.violatingKept(), r.violatingRemoved(), r.acceptableKept(), r.acceptableRemoved()))
                .containsExactly(1L, 1L, 1L, 1L);
        assertThat(tally.removedNow()).containsExactlyInAnyOrder(LoopRunner.fingerprint("e"), LoopRunner.fingerprint("f"));
    }

    @Test
    void theLabelFieldIsTheUsersAndAnUnlabelledPassSaysSo() {
        PassTally byGold = new PassTally(new GoldLabels("gold"), Set.of());
        byGold.accept(scored("a", Decision.REMOVED, Map.of("gold", "violating", "label", "acceptable")));
        PassReport r = byGold.report(status(0), 1.0);
        assertThat(r.violatingRemoved()).isEqualTo(1);
        assertThat(r.acceptableRemoved()).isZero();

        PassTally none = new PassTally(new GoldLabels("gold"), Set.of());
        none.accept(scored("b", Decision.KEPT, Map.of("label", "violating")));
        assertThat(none.report(status(0), 1.0).labelled()).isFalse();
        assertThatThrownBy(() -> new GoldLabels(" ")).hasMessageContaining("--label-field");
    }
}
