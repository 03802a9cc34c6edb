package io.recurate.embedded.broker;

/**
 * The broker process of a command that owns its broker ({@code run} without a cluster): Kafka's own main,
 * plus a watch on the process that started it. When that process is gone, killed with SIGKILL so that its
 * shutdown hook never ran, the broker shuts down cleanly on its own instead of living on as an orphan that
 * holds the data folder. Brokers of {@code recurate up} are meant to outlive it and run {@code kafka.Kafka}.
 */
public final class BrokerMain {
    private BrokerMain() {
    }

    /** @param args the owner's pid, then Kafka's arguments (the server.properties file) */
    public static void main(String[] args) throws Exception {
        long owner = Long.parseLong(args[0]);
        Thread watch = new Thread(() -> {
            while (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("recurate: the process that started this broker (pid " + owner + ") is gone; stopping");
            System.exit(0); // runs Kafka's shutdown hook: a clean shutdown
        }, "owner-watch");
        watch.setDaemon(true);
        watch.start();
        // kafka.Kafka is on the broker's class path at run time only (kafka_2.13 is a runtime dependency).
        Class.forName("kafka.Kafka").getMethod("main", String[].class)
                .invoke(null, (Object) java.util.Arrays.copyOfRange(args, 1, args.length));
    }
}
