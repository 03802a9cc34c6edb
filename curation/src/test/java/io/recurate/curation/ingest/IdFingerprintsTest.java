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
}
