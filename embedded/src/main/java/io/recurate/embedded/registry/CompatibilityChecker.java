package io.recurate.embedded.registry;

import io.recurate.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/** Confluent's compatibility rules, decided by Avro's own {@link SchemaCompatibility}. */
final class CompatibilityChecker {
    private CompatibilityChecker() {
    }

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first) under {@code level};
     * empty when it may.
     */
    static List<String> problems(CompatibilityLevel level, Schema candidate, List<Schema> existing) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || existing.isEmpty()) {
            return problems;
        }
        List<Schema> against = level.isTransitive() ? existing : List.of(existing.get(existing.size() - 1));
        for (Schema earlier : against) {
            if (level.checksBackward()) {
                // BACKWARD: consumers using the new schema can read data written with the earlier one.
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, earlier), "BACKWARD", problems);
            }
            if (level.checksForward()) {
                // FORWARD: consumers using the earlier schema can read data written with the new one.
                describe(SchemaCompatibility.checkReaderWriterCompatibility(earlier, candidate), "FORWARD", problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility result, String direction, List<String> out) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        result.getResult().getIncompatibilities().forEach(i -> out.add(direction + ": " + i.getType() + " at "
                + i.getLocation() + ": " + i.getMessage()));
        if (result.getResult().getIncompatibilities().isEmpty()) {
            out.add(direction + ": " + result.getDescription());
        }
    }
}
