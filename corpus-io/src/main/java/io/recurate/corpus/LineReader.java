package io.recurate.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines as bytes, so that a line with invalid UTF-8 can be reported and skipped without losing
 * the lines after it, and a line longer than the limit is skipped without being held in memory.
 */
final class LineReader implements Closeable {
    private final InputStream in;
    private final int maxLine;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[1 << 12];
    private int length;
    private long fullLength;

    LineReader(InputStream in, long maxLine) {
        this.in = in;
        this.maxLine = (int) Math.min(maxLine, Integer.MAX_VALUE - 16);
    }

    /** Reads the next line (without its {@code \n} or {@code \r\n}); false at the end of the input. */
    boolean next() throws IOException {
        length = 0;
        fullLength = 0;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    trimCarriageReturn();
                    return any;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            append(start, position - start);
            if (position < limit) {
                position++; // the newline
                trimCarriageReturn();
                return true;
            }
        }
    }

    /** The line's bytes; valid up to {@link #length()} until the next call. Empty when {@link #tooLong()}. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return length;
    }

    /** True when the line was longer than the limit; then only {@link #fullLength()} is known. */
    boolean tooLong() {
        return fullLength > maxLine;
    }

    long fullLength() {
        return fullLength;
    }

    private void append(int start, int count) {
        fullLength += count;
        if (fullLength > maxLine) {
            length = 0; // drop what was held: the line is skipped anyway
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(buffer, start, line, length, count);
        length += count;
    }

    private void trimCarriageReturn() {
        if (!tooLong() && length > 0 && line[length - 1] == '\r') {
            length--;
            fullLength--;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
