package io.recurate.curation.loop;

import io.recurate.model.data.Label;
import java.util.Map;

/**
 * Where a corpus keeps its gold labels: a metadata field ({@code --label-field}, default {@code label}) whose
 * value is {@code acceptable} or {@code violating} (any case, spaces around); any other value, or none, leaves a
 * document unlabelled.
 * The loop's table, its ceiling summary and the report all read labels through this one rule.
 */
public record GoldLabels(String field) {
    public static final GoldLabels DEFAULT = new GoldLabels("label");

    public GoldLabels {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("--label-field must name a metadata field");
        }
    }

    /** TRUE violating, FALSE acceptable, null unlabelled: {@link Label#parse}, the rule every reader of labels uses. */
    public Boolean violating(Map<String, String> metadata) {
        return Label.parse(metadata.get(field));
    }
}
