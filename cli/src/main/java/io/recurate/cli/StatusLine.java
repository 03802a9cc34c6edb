package io.recurate.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The console's stderr and stdout, shared by log lines, command output and one status line (a progress
 * bar). On a terminal the status line is drawn in place, fitted to the width, erased before any other
 * line is written and drawn again after it, so a log line never glues onto a bar. When stderr is not a
 * terminal (a file, a pipe, CI) there is no carriage return: the status is written as a plain line at
 * most every {@link #PLAIN_EVERY_SECONDS} seconds, and once more when it finishes.
 */
final class StatusLine {
    static final int PLAIN_EVERY_SECONDS = 10;
    private static final String ERASE_LINE = "\r\033[K";
    private static volatile StatusLine installed;

    private final PrintStream err;
    private final PrintStream out;
    private final Terminal terminal;
    private String status;
    private boolean shown;
    private boolean midLine;
    private long lastPlainNanos;

    StatusLine(PrintStream err, PrintStream out, Terminal terminal) {
        this.err = err;
        this.out = out;
        this.terminal = terminal;
    }

    /** A stderr that writes through this status line (what {@link #install} puts in place of System.err). */
    PrintStream stderr() {
        return new PrintStream(stream(err), true, StandardCharsets.UTF_8);
    }

    /** A stdout that writes through this status line. */
    PrintStream stdout() {
        return new PrintStream(stream(out), true, StandardCharsets.UTF_8);
    }

    /** Puts the status line between this process's console streams and everything that writes to them. */
    static synchronized StatusLine install() {
        if (installed == null) {
            StatusLine line = new StatusLine(System.err, System.out, Terminal.ofStderr());
            System.setErr(line.stderr());
            System.setOut(line.stdout());
            installed = line;
        }
        return installed;
    }

    /** The installed status line, or one on the plain streams (tests, and code run without Main). */
    static StatusLine current() {
        StatusLine line = installed;
        return line != null ? line : new StatusLine(System.err, System.out, Terminal.NONE);
    }

    boolean isTerminal() {
        return terminal.isTerminal();
    }

    /** Columns a status may take: one less than the terminal's, so that it never wraps. */
    int width() {
        return Math.max(20, terminal.columns() - 1);
    }

    /** Shows (or replaces) the status. */
    synchronized void show(String text) {
        status = text;
        if (terminal.isTerminal()) {
            if (!midLine) {
                err.print(ERASE_LINE + fit(text));
                err.flush();
                shown = true;
            }
        } else if (lastPlainNanos == 0 || System.nanoTime() - lastPlainNanos >= TimeUnit.SECONDS.toNanos(PLAIN_EVERY_SECONDS)) {
            err.println(text.strip());
            lastPlainNanos = System.nanoTime();
        }
    }

    /** Ends the status with its final text, on a line of its own. */
    synchronized void finish(String text) {
        erase();
        if (text != null) {
            err.println(terminal.isTerminal() ? fit(text) : text.strip());
        }
        status = null;
        lastPlainNanos = 0;
    }

    private String fit(String text) {
        String line = text.strip();
        return line.length() <= width() ? line : line.substring(0, width());
    }

    private void erase() {
        if (shown) {
            err.print(ERASE_LINE);
            shown = false;
        }
    }

    /** Bytes written by anyone else to one of the streams: erase the status first, draw it again after a whole line. */
    private synchronized void written(PrintStream target, byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        erase();
        target.write(b, off, len);
        target.flush();
        midLine = b[off + len - 1] != '\n';
        if (!midLine && status != null && terminal.isTerminal()) {
            err.print(fit(status));
            err.flush();
            shown = true;
        }
    }

    private OutputStream stream(PrintStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written(target, b, off, len);
            }

            @Override
            public void flush() throws IOException {
                target.flush();
            }
        };
    }
}
