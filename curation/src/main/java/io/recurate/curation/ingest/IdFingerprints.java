package io.recurate.curation.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The ids already published, as 64-bit fingerprints in an open-addressing table, each with a 64-bit
 * fingerprint of its document's content: 10 million ids take 320 MB instead of the gigabytes a
 * {@code HashMap<String, String>} would. Two different ids share a fingerprint with probability about
 * n²/2⁶⁵ (3·10⁻⁶ for 10 million ids); then the second is taken for the first.
 */
public final class IdFingerprints {
    /** What an id was, before {@link #add(String, long)}. */
    public enum Seen { NEW, SAME_CONTENT, OTHER_CONTENT }

    /** Content fingerprint for an id whose content is not known (then any content counts as the same). */
    public static final long UNKNOWN_CONTENT = 0;

    private long[] keys = new long[1 << 16];
    private long[] contents = new long[1 << 16];
    private int size;
    private final MessageDigest sha;

    public IdFingerprints() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds the id; false when it (or its fingerprint) was there already. */
    public boolean add(String id) {
        return add(id, UNKNOWN_CONTENT) == Seen.NEW;
    }

    /**
     * Adds the id with its content's fingerprint (e.g. the first 8 bytes of its sha256); an id seen before
     * keeps its first content.
     */
    public Seen add(String id, long content) {
        long key = fingerprint(id);
        if (key == 0) {
            key = 1; // 0 marks an empty slot
        }
        if (size * 2 >= keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0) {
            if (keys[i] == key) {
                long first = contents[i];
                return first == content || first == UNKNOWN_CONTENT || content == UNKNOWN_CONTENT
                        ? Seen.SAME_CONTENT : Seen.OTHER_CONTENT;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        contents[i] = content;
        size++;
        return Seen.NEW;
    }

    public int size() {
        return size;
    }

    /** The first 8 bytes of a hex sha256 as a content fingerprint. */
    public static long contentOf(String sha256Hex) {
        return sha256Hex == null || sha256Hex.length() < 16 ? UNKNOWN_CONTENT : Long.parseUnsignedLong(sha256Hex.substring(0, 16), 16);
    }

    private static int slot(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldContents = contents;
        keys = new long[oldKeys.length * 2];
        contents = new long[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = slot(oldKeys[j], mask);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                contents[i] = oldContents[j];
            }
        }
    }

    private long fingerprint(String id) {
        byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
        long f = 0;
        for (int i = 0; i < 8; i++) {
            f = (f << 8) | (d[i] & 0xff);
        }
        return f;
    }
}
