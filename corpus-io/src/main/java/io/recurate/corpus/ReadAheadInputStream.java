package io.recurate.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Decompresses on a second thread while the caller parses: gzip inflation is as costly as parsing the
 * JSON it yields, and the two overlap well. Errors of the underlying stream (a truncated file) reach
 * the reader at the point in the data where they happened.
 */
final class ReadAheadInputStream extends InputStream {
    private static final int CHUNK = 1 << 20;
    private static final Object END = new Object();

    private final BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(8);
    private final Thread reader;
    private byte[] current = new byte[0];
    private int currentLength;
    private int position;
    private boolean ended;
    private volatile boolean closed;

    ReadAheadInputStream(InputStream in, String name) {
        reader = new Thread(() -> pump(in), "read-ahead " + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(InputStream in) {
        try (in) {
            while (!closed) {
                byte[] chunk = new byte[CHUNK];
                int n = 0;
                try {
                    while (n < CHUNK) {
                        int r = in.read(chunk, n, CHUNK - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                } catch (IOException e) {
                    // What was read before the break is handed over first, then the error.
                    if (n > 0) {
                        chunks.put(java.util.Arrays.copyOf(chunk, n));
                    }
                    chunks.put(e);
                    return;
                }
                if (n > 0) {
                    chunks.put(n == CHUNK ? chunk : java.util.Arrays.copyOf(chunk, n));
                }
                if (n < CHUNK) {
                    break;
                }
            }
            chunks.put(END);
        } catch (IOException e) {
            putQuietly(e); // from close(): nothing more to read anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void putQuietly(Object o) {
        try {
            chunks.put(o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        Object next;
        try {
            next = chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("Interrupted while reading ahead");
        }
        if (next == END) {
            ended = true;
            return false;
        }
        if (next instanceof IOException e) {
            ended = true;
            throw e;
        }
        current = (byte[]) next;
        currentLength = current.length;
        position = 0;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (position == currentLength && !fill()) {
            return -1;
        }
        return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == currentLength && !fill()) {
            return -1;
        }
        int n = Math.min(len, currentLength - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        chunks.clear();
    }
}
