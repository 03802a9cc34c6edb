package io.recurate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CPU time a measured span took: the whole machine's (Linux {@code /proc/stat}, so that every process counts:
 * the broker, a perf-test child, this JVM), this JVM's and the broker process's. It tells whether a rate is bound by
 * the cores (the machine busy all the time) or by waiting, and which process the cores went to.
 */
final class CpuMeter {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /**
     * @param seconds     wall time of the span
     * @param machineBusy the share of all cores' time that was busy, NaN where {@code /proc/stat} is not readable
     * @param selfNanos   CPU time of this JVM (the scorer, in the scored passes)
     * @param brokerNanos CPU time of the broker process, -1 when the OS does not say
     */
    record Use(double seconds, double machineBusy, long selfNanos, long brokerNanos) {
        /** Every process's CPU time over the span, per document, in microseconds (NaN without {@code /proc/stat}). */
        double machineMicrosPer(long documents) {
            return machineBusy * CORES * seconds * 1e6 / documents;
        }
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final long brokerPid;
    private final long started = System.nanoTime();
    private final long[] machineAtStart = machineJiffies();
    private final long selfAtStart = selfCpuNanos();
    private final long brokerAtStart;

    private CpuMeter(long brokerPid) {
        this.brokerPid = brokerPid;
        this.brokerAtStart = processCpuNanos(brokerPid);
    }

    static CpuMeter start(long brokerPid) {
        return new CpuMeter(brokerPid);
    }

    Use stop() {
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] machine = machineJiffies();
        double busy = Double.NaN;
        if (machine != null && machineAtStart != null && machine[1] > machineAtStart[1]) {
            busy = (double) (machine[0] - machineAtStart[0]) / (machine[1] - machineAtStart[1]);
        }
        long broker = processCpuNanos(brokerPid);
        return new Use(seconds, busy, selfCpuNanos() - selfAtStart,
                broker < 0 || brokerAtStart < 0 ? -1 : broker - brokerAtStart);
    }

    /** {busy, total} jiffies of all cores from the first line of /proc/stat, or null. */
    private static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long selfCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long processCpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
    }
}
