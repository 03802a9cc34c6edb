package io.recurate.curation.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The ids already published, as 64-bit fingerprints in an open-addressing table: 10 million ids take
 * 160 MB instead of the gigabyte a {@code HashSet<String>} would. Two different ids share a fingerprint
 * with probability about n²/2⁶⁵ (3·10⁻⁶ for 10 million ids); then the second is counted as a duplicate.
 */
public final class IdFingerprints {
    private long[] table = new long[1 << 16];
    private int size;
    private boolean hasZero;
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
        long f = fingerprint(id);
        if (f == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if (size * 2 >= table.length) {
            grow();
        }
        boolean added = insert(table, f);
        if (added) {
            size++;
        }
        return added;
    }

    public int size() {
        return size + (hasZero ? 1 : 0);
    }

    private boolean insert(long[] into, long f) {
        int mask = into.length - 1;
        int i = (int) (f ^ (f >>> 32)) & mask;
        while (into[i] != 0) {
            if (into[i] == f) {
                return false;
            }
            i = (i + 1) & mask;
        }
        into[i] = f;
        return true;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        for (long f : old) {
            if (f != 0) {
                insert(table, f);
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
