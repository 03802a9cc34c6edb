package io.recurate.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.registry.CompatibilityLevel;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityCheckerTest {
    private static final Schema V1 = record("{\"name\":\"id\",\"type\":\"string\"}");
    private static final Schema ADDED_WITH_DEFAULT = record("{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"lang\",\"type\":\"string\",\"default\":\"und\"}");
    private static final Schema ADDED_WITHOUT_DEFAULT = record("{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"lang\",\"type\":\"string\"}");
    private static final Schema EMPTY = record("");

    @Test
    void backwardAcceptsAFieldWithDefaultAndRefusesOneWithout() {
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.BACKWARD, ADDED_WITH_DEFAULT, List.of(V1))).isEmpty();
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.BACKWARD, ADDED_WITHOUT_DEFAULT, List.of(V1)))
                .singleElement().asString().contains("BACKWARD").contains("lang");
    }

    @Test
    void forwardAndFullRefuseDroppingARequiredField() {
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.BACKWARD, EMPTY, List.of(V1))).isEmpty();
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.FORWARD, EMPTY, List.of(V1))).isNotEmpty();
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.FULL, EMPTY, List.of(V1))).isNotEmpty();
    }

    @Test
    void onlyTransitiveLevelsLookPastTheLatestVersion() {
        Schema withX = record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"x\",\"type\":\"int\",\"default\":0}");
        Schema xRequired = record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"x\",\"type\":\"int\"}");
        List<Schema> history = List.of(V1, withX);
        // xRequired reads data written with withX, but not data written with V1, which has no x.
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.BACKWARD, xRequired, history)).isEmpty();
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.BACKWARD_TRANSITIVE, xRequired, history)).isNotEmpty();
    }

    @Test
    void noneAcceptsAnything() {
        assertThat(CompatibilityChecker.problems(CompatibilityLevel.NONE, ADDED_WITHOUT_DEFAULT, List.of(V1))).isEmpty();
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
    }
}
