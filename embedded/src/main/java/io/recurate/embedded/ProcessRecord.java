package io.recurate.embedded;

import java.time.Instant;
import java.util.Optional;

/**
 * A background process as recorded in a state file: its pid and when it started. The start time
 * guards against pid reuse, so a later command never signals an unrelated process.
 */
public record ProcessRecord(long pid, long startedAtMillis) {

    public static ProcessRecord of(ProcessHandle handle) {
        return new ProcessRecord(handle.pid(), handle.info().startInstant().map(Instant::toEpochMilli).orElse(-1L));
    }

    /** Parses {@code "<pid> <start millis>"}, as {@link #toString()} writes it. */
    public static Optional<ProcessRecord> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.trim().split("\\s+");
        try {
            return Optional.of(new ProcessRecord(Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : -1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The process, when it still runs and is the one recorded: the same start time, or (the JDK derives start
     * times from the wall clock, so a clock step moves them) a Java process with Kafka on its class path, as
     * every process recurate leaves running is. A reused pid of an unrelated process is neither.
     */
    public Optional<ProcessHandle> live() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> startedAtMillis < 0
                || h.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - startedAtMillis) < 2000).orElse(true)
                || h.info().commandLine().map(c -> c.contains("java") && c.contains("kafka")).orElse(false));
    }

    @Override
    public String toString() {
        return pid + " " + startedAtMillis;
    }
}
