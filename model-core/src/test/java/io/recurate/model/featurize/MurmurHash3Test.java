package io.recurate.model.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MurmurHash3Test {
    private static int hash(String s, int seed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash32(b, 0, b.length, seed);
    }

    @Test
    void matchesThePublishedX86_32TestVectors() {
        assertThat(hash("", 0)).isEqualTo(0);
        assertThat(hash("", 1)).isEqualTo(0x514e28b7);
        assertThat(hash("", 0xffffffff)).isEqualTo(0x81f16f39);
        assertThat(hash("hello", 0)).isEqualTo(0x248bfa47);
        assertThat(hash("The quick brown fox jumps over the lazy dog", 0)).isEqualTo(0x2e4ff723);
        assertThat(MurmurHash3.hash32(new byte[] {0x21, 0x43, 0x65, (byte) 0x87}, 0, 4, 0x5082edee)).isEqualTo(0x2362f9de);
    }

    @Test
    void hashesTheGivenRangeOnly() {
        byte[] padded = "xxhelloyy".getBytes(StandardCharsets.UTF_8);
        assertThat(MurmurHash3.hash32(padded, 2, 5, 0)).isEqualTo(hash("hello", 0));
    }
}
