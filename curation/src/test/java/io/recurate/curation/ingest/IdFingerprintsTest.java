package io.recurate.curation.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdFingerprintsTest {
    @Test
    void anIdIsNewOnceAndTheTableGrows() {
        IdFingerprints ids = new IdFingerprints();
        for (int i = 0; i < 200_000; i++) {
            assertThat(ids.add("doc-" + i)).isTrue();
        }
        for (int i = 0; i < 200_000; i += 997) {
            assertThat(ids.add("doc-" + i)).isFalse();
        }
        assertThat(ids.size()).isEqualTo(200_000);
    }

    @Test
    void anIdSeenAgainWithAnotherContentIsToldApartFromADuplicate() {
        IdFingerprints ids = new IdFingerprints();
        long a = IdFingerprints.contentOf("aa".repeat(32));
        long b = IdFingerprints.contentOf("bb".repeat(32));
        assertThat(ids.add("doc-1", a)).isEqualTo(IdFingerprints.Seen.NEW);
        assertThat(ids.add("doc-1", a)).isEqualTo(IdFingerprints.Seen.SAME_CONTENT);
        assertThat(ids.add("doc-1", b)).isEqualTo(IdFingerprints.Seen.OTHER_CONTENT);
        assertThat(ids.add("doc-1", a)).as("the first content is kept").isEqualTo(IdFingerprints.Seen.SAME_CONTENT);
        for (int i = 0; i < 100_000; i++) {
            ids.add("grow-" + i, i + 1);
        }
        assertThat(ids.add("doc-1", b)).as("after the table grew").isEqualTo(IdFingerprints.Seen.OTHER_CONTENT);
        assertThat(ids.add("grow-77", 78)).isEqualTo(IdFingerprints.Seen.SAME_CONTENT);
    }
}
