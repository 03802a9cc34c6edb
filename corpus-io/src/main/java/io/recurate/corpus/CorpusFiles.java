package io.recurate.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns what a user typed (files, folders, globs such as {@code data/*.parquet} or
 * {@code 'data/**}{@code /*.jsonl.zst'}) into the corpus files to read, in a stable order.
 */
public final class CorpusFiles {
    /** The manifest an export writes next to its shards: not a corpus file, so folder walks leave it out. */
    public static final String MANIFEST = "manifest.json";

    private CorpusFiles() {
    }

    /**
     * The corpus files to read, and the files a folder or glob held that are neither JSONL nor Parquet (left
     * out, and listed so that the user sees what was not read).
     */
    public record Expansion(List<Path> files, List<Path> skipped) {
    }

    /**
     * @throws IllegalArgumentException naming the argument that matched nothing, or a named file
     *                                  whose format is not known
     */
    public static List<Path> expand(List<String> arguments) {
        return expandListingSkipped(arguments).files();
    }

    /** As {@link #expand}, with the files that were left out for their format. */
    public static Expansion expandListingSkipped(List<String> arguments) {
        Set<Path> out = new LinkedHashSet<>();
        Set<Path> skipped = new LinkedHashSet<>();
        for (String argument : arguments) {
            List<Path> found = isGlob(argument) ? glob(argument, skipped) : plain(Path.of(argument), skipped);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("No corpus files (.jsonl, .jsonl.gz, .jsonl.zst, .parquet) at " + argument
                        + (skipped.isEmpty() ? "" : "; other files there: " + skipped.stream().limit(5).map(Path::toString)
                        .collect(java.util.stream.Collectors.joining(", ")) + (skipped.size() > 5 ? ", ..." : "")));
            }
            out.addAll(found);
        }
        return new Expansion(List.copyOf(out), List.copyOf(skipped));
    }

    private static List<Path> plain(Path path, Set<Path> skipped) {
        if (Files.isDirectory(path)) {
            return walk(path, p -> true, skipped);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("No such file or folder: " + path);
        }
        if (CorpusFormat.of(path).isEmpty()) {
            throw new IllegalArgumentException("Unknown corpus format: " + path
                    + " (expected .jsonl, .json, .ndjson, optionally .gz or .zst, or .parquet)");
        }
        return List.of(path);
    }

    private static List<Path> glob(String pattern, Set<Path> skipped) {
        // The folder before the first wildcard is walked; the pattern is matched against whole paths.
        String normalized = pattern.replace('\\', '/');
        int wildcard = firstWildcard(normalized);
        int slash = normalized.lastIndexOf('/', wildcard);
        Path root = slash < 0 ? Path.of(".") : Path.of(normalized.substring(0, Math.max(slash, 1)));
        String relativePattern = slash < 0 ? normalized : normalized.substring(slash + 1);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + relativePattern);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        return walk(root, p -> matcher.matches(root.relativize(p)), skipped);
    }

    private static List<Path> walk(Path root, java.util.function.Predicate<Path> accept, Set<Path> skipped) {
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> candidates = new ArrayList<>(paths.filter(Files::isRegularFile).filter(accept)
                    .filter(p -> !p.getFileName().toString().equals(MANIFEST)).toList());
            candidates.sort(null);
            List<Path> files = new ArrayList<>();
            for (Path p : candidates) {
                if (CorpusFormat.of(p).isPresent()) {
                    files.add(p);
                } else {
                    skipped.add(p);
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private static boolean isGlob(String s) {
        return firstWildcard(s) < s.length();
    }

    private static int firstWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return s.length();
    }
}
