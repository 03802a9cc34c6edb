package io.recurate.model.featurize;

/**
 * MurmurHash3 x86_32 (Austin Appleby's reference algorithm, public domain) over a byte range. The
 * featurizer's token hash: small, fast and with published test vectors, so the ids of a spec can be
 * reproduced anywhere.
 */
public final class MurmurHash3 {
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private MurmurHash3() {
    }

    public static int hash32(byte[] data, int offset, int length, int seed) {
        int h1 = seed;
        int end = offset + (length & ~3);
        for (int i = offset; i < end; i += 4) {
            h1 = mixBlock(h1, (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | data[i + 3] << 24);
        }
        int tail = 0;
        switch (length & 3) {
            case 3:
                tail = (data[end + 2] & 0xff) << 16;
                // fall through
            case 2:
                tail |= (data[end + 1] & 0xff) << 8;
                // fall through
            case 1:
                tail |= data[end] & 0xff;
                break;
            default:
                break;
        }
        return finish(h1, tail, length);
    }

    /**
     * Mixes one little-endian 4-byte block into the state: {@link #hash32} over bytes is a fold of this, then
     * {@link #finish}, which lets a tokenizer hash a token's bytes as it reads them.
     */
    static int mixBlock(int h1, int k1) {
        h1 ^= scramble(k1);
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }

    /**
     * The hash of {@code length} bytes from the state after their whole blocks and the 0–3 bytes left ({@code tail},
     * which is 0 when there are none: scrambling 0 gives 0, so no branch is needed to skip it).
     */
    static int finish(int h1, int tail, int length) {
        return fmix32(h1 ^ scramble(tail) ^ length);
    }

    private static int scramble(int k1) {
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        return k1 * C2;
    }

    static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** MurmurHash3's 64-bit finalizer, used to spread the combined hash of an n-gram. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
