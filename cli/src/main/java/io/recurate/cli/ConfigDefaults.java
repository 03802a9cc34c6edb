package io.recurate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults for every option, in order: environment variable {@code RECURATE_<OPTION>} (upper case,
 * dashes as underscores), then the properties file (key = option name without dashes), then the
 * option's own default. Flags given on the command line win over all of these.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private final Map<String, String> env;
    private final Properties file;

    ConfigDefaults(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    static ConfigDefaults fromEnvironment() {
        Map<String, String> env = System.getenv();
        Path path = Path.of(env.getOrDefault("RECURATE_CONFIG", "recurate.properties"));
        Properties file = new Properties();
        if (Files.isRegularFile(path)) {
            try (InputStream in = Files.newInputStream(path)) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read config file " + path, e);
            }
        } else if (env.containsKey("RECURATE_CONFIG")) {
            throw new IllegalArgumentException("RECURATE_CONFIG names " + path + ", which is not a file");
        }
        return new ConfigDefaults(env, file);
    }

    /** Like {@link #fromEnvironment}, but a missing or unreadable config file gives empty defaults (the parse reports it). */
    static ConfigDefaults fromEnvironmentQuietly() {
        try {
            return fromEnvironment();
        } catch (RuntimeException e) {
            return new ConfigDefaults(System.getenv(), new Properties());
        }
    }

    /** The value of an option (long name without dashes) from the environment or the file, else the fallback. */
    String value(String name, String fallback) {
        String fromEnv = env.get("RECURATE_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        String fromFile = file.getProperty(name);
        return fromFile != null ? fromFile.trim() : fallback;
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return argSpec.defaultValue();
        }
        return value(option.longestName().replaceFirst("^-+", ""), option.defaultValue());
    }
}
