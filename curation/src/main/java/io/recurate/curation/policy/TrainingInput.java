package io.recurate.curation.policy;

import io.recurate.curation.train.TextDocument;
import io.recurate.model.train.Example;
import java.util.List;

/**
 * What the next version may learn from after a pass. {@code violating}: the labelled positives (the
 * documents removed so far, as the pass's mode defines them). {@code unlabelled}: what the pass kept,
 * which is not known to be acceptable: it still holds the violators the pass missed. {@code constitution}:
 * the human-labelled exemplars, with their weights.
 */
public record TrainingInput(List<TextDocument> violating, List<TextDocument> unlabelled, List<Example> constitution) {
}
