package io.recurate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.ledger.NamespaceLease.Claim;
import io.recurate.ledger.NamespaceLease.Event;
import io.recurate.ledger.NamespaceLease.Holder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule every reader of the lease topic applies, in log order, to find the holder. */
class NamespaceLeaseTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Claim A = new Claim("a", "run", "host-a", 11, T0);
    private static final Claim B = new Claim("b", "publish", "host-b", 22, T0);

    private static Event at(String kind, Claim claim, long seconds) {
        return new Event(kind, claim, T0.plusSeconds(seconds));
    }

    private static Holder fold(List<Event> events) {
        Holder h = null;
        for (Event e : events) {
            h = Holder.fold(h, e);
        }
        return h;
    }

    @Test
    void ofTwoRacingClaimsTheFirstInTheLogWinsAndTheSecondCanNeverWinLater() {
        Holder h = fold(List.of(at("claim", A, 0), at("claim", B, 0)));
        assertThat(h.claim().id()).isEqualTo("a");
        // A's heartbeats keep it; B's claim stays lost even once A has gone quiet for long, as B never claims again.
        h = fold(List.of(at("claim", A, 0), at("claim", B, 0), at("beat", A, 10), at("beat", A, 20)));
        assertThat(h.claim().id()).isEqualTo("a");
        assertThat(h.lastHeard()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void aReleaseFreesTheNamespaceAtOnceAndOnlyTheHoldersReleaseCounts() {
        assertThat(fold(List.of(at("claim", A, 0), at("release", A, 5)))).isNull();
        assertThat(fold(List.of(at("claim", A, 0), at("release", B, 5))).claim().id()).isEqualTo("a");
        assertThat(fold(List.of(at("claim", A, 0), at("release", A, 5), at("claim", B, 6))).claim().id()).isEqualTo("b");
    }

    @Test
    void aHolderNotHeardOfForLongerThanTheExpiryLosesItToTheNextClaim() {
        long expiry = NamespaceLease.EXPIRY.toSeconds();
        assertThat(fold(List.of(at("claim", A, 0), at("beat", A, 10), at("claim", B, 10 + expiry))).claim().id())
                .as("exactly the expiry: still A's").isEqualTo("a");
        Holder h = fold(List.of(at("claim", A, 0), at("beat", A, 10), at("claim", B, 11 + expiry), at("beat", A, 12 + expiry)));
        assertThat(h.claim().id()).as("a dead holder blocks for the expiry, not for ever").isEqualTo("b");
        assertThat(fold(List.of(at("claim", A, 0), at("claim", B, 5), at("release", A, 6))))
                .as("B's earlier claim lost; A's release leaves nobody").isNull();
    }

    @Test
    void recordsNobodyOfOursWroteClaimNothing() {
        assertThat(fold(List.of(new Event("unknown", null, T0), at("claim", A, 1))).claim().id()).isEqualTo("a");
    }
}
