package io.recurate.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's own kafka-producer-perf-test and kafka-consumer-perf-test (from kafka-tools), run in a child
 * JVM: the raw-broker anchor the benchmarks report their ratios against.
 */
final class KafkaPerfTest {
    private KafkaPerfTest() {
    }

    /** Records per second of kafka-producer-perf-test with the given record size and producer settings. */
    static double producerRecordsPerSecond(String topic, long records, long recordSize, List<String> producerProps) throws Exception {
        List<String> args = new ArrayList<>(List.of("org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Long.toString(recordSize), "--throughput", "-1",
                "--producer-props"));
        args.addAll(producerProps);
        String last = runJava(args).stream().filter(l -> l.contains("records/sec")).reduce((a, b) -> b).orElseThrow(
                () -> new IllegalStateException("kafka-producer-perf-test printed no result"));
        // "100000 records sent, 51234.5 records/sec (110.00 MB/sec), ..."
        return Double.parseDouble(last.split(",")[1].trim().split("\\s+")[0]);
    }

    /** Messages per second of kafka-consumer-perf-test reading {@code messages} records of the topic. */
    static double consumerMessagesPerSecond(String bootstrap, String topic, long messages) throws Exception {
        List<String> lines = runJava(List.of("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap,
                "--topic", topic, "--messages", Long.toString(messages), "--timeout", "60000"));
        // header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).contains("nMsg.sec")) {
                List<String> header = List.of(lines.get(i).split(",\\s*"));
                String[] values = lines.get(i + 1).split(",\\s*");
                return Double.parseDouble(values[header.indexOf("nMsg.sec")]);
            }
        }
        throw new IllegalStateException("kafka-consumer-perf-test printed no result: " + lines);
    }

    private static List<String> runJava(List<String> mainAndArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(lines::add);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(mainAndArgs.get(0) + " failed: " + String.join("\n", lines));
        }
        return lines;
    }
}
