package io.recurate.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where log lines go, decided from the arguments before the first logger exists (log4j2.xml reads the
 * system properties set here): recurate's own lines to the console at {@code RECURATE_LOG_LEVEL} (INFO),
 * everything (Kafka's clients, Streams, Parquet) to {@code <home>/logs/recurate-<command>.log}, and
 * Kafka's warnings to the console too only with {@code --verbose}.
 */
final class ConsoleLogging {
    static final String FILE = "recurate.log.file";
    static final String LEVEL = "recurate.log.level";
    static final String CONSOLE_STACK = "recurate.log.console.stack";
    static final String OTHERS_ON_CONSOLE = "recurate.log.others";

    private ConsoleLogging() {
    }

    static void configure(String[] args) {
        boolean verbose = false;
        String command = null;
        String home = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--verbose")) {
                verbose = true;
            } else if (a.equals("--home") && i + 1 < args.length) {
                home = args[++i];
            } else if (a.startsWith("--home=")) {
                home = a.substring("--home=".length());
            } else if (command == null && !a.startsWith("-")) {
                command = a;
            }
        }
        if (home == null) {
            home = ConfigDefaults.fromEnvironmentQuietly().value("home", ".recurate");
        }
        String envLevel = System.getenv("RECURATE_LOG_LEVEL");
        setIfAbsent(LEVEL, verbose ? "DEBUG" : envLevel != null && !envLevel.isBlank() ? envLevel.toUpperCase(Locale.ROOT) : "INFO");
        setIfAbsent(OTHERS_ON_CONSOLE, verbose ? "WARN" : "OFF");
        // Stack traces go to the log file; the console has them with --verbose only (the lines name the cause).
        setIfAbsent(CONSOLE_STACK, verbose ? "full" : "none");
        setIfAbsent(FILE, logFile(Path.of(home), command == null ? "recurate" : command).toString());
    }

    /** {@code <home>/logs/recurate-<command>.log}, or under the temporary folder when the home is not writable. */
    private static Path logFile(Path home, String command) {
        String name = "recurate-" + command.replaceAll("[^A-Za-z0-9_-]", "_") + ".log";
        Path dir = home.resolve("logs");
        try {
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) {
                return dir.resolve(name).toAbsolutePath();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return Path.of(System.getProperty("java.io.tmpdir"), name);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
