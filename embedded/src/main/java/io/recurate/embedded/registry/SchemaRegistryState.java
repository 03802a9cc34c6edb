package io.recurate.embedded.registry;

import io.recurate.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The registry's contents in memory: subjects and their versions, schemas by id, compatibility
 * settings. Rebuilt from the {@code _schemas} topic on start; not thread-safe (the store locks).
 */
final class SchemaRegistryState {
    /** One version of a subject. */
    record Version(String subject, int version, int id, String schema, boolean deleted) {
    }

    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    void apply(Version v) {
        schemaById.putIfAbsent(v.id(), v.schema());
        idBySchema.putIfAbsent(v.schema(), v.id());
        maxId = Math.max(maxId, v.id());
        subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), v);
    }

    void applyConfig(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalLevel = level == null ? CompatibilityLevel.BACKWARD : level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    /** The id a schema has anywhere in the registry, else the next free one: ids are global. */
    int idFor(String canonicalSchema) {
        Integer id = idBySchema.get(canonicalSchema);
        return id != null ? id : maxId + 1;
    }

    Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    List<String> subjectsUsing(int id) {
        List<String> out = new ArrayList<>();
        subjects.forEach((s, versions) -> {
            if (live(versions).stream().anyMatch(v -> v.id() == id)) {
                out.add(s);
            }
        });
        return out;
    }

    List<String> subjects() {
        return subjects.entrySet().stream().filter(e -> !live(e.getValue()).isEmpty()).map(Map.Entry::getKey).toList();
    }

    /** Live versions of a subject, oldest first; empty when the subject is unknown. */
    List<Version> versions(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? List.of() : live(versions);
    }

    Optional<Version> find(String subject, String canonicalSchema) {
        return versions(subject).stream().filter(v -> v.schema().equals(canonicalSchema)).findFirst();
    }

    int nextVersion(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
    }

    List<Schema> parsedVersions(String subject) {
        return versions(subject).stream().map(v -> new Schema.Parser().parse(v.schema())).toList();
    }

    CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private static List<Version> live(TreeMap<Integer, Version> versions) {
        return versions.values().stream().filter(v -> !v.deleted()).toList();
    }
}
