package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.train.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The naive set: removed documents violating, kept ones acceptable, plus the constitution. The next
 * model learns to keep the violators the pass missed, so the loop reproduces its own labels and stalls;
 * kept as the baseline the other policies are measured against.
 */
public final class KeptAsAcceptable implements TrainingPolicy {
    @Override
    public String name() {
        return "kept-as-acceptable";
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        return TrainedVersion.of(learner.fitVersion(examples(input)), input.constitution(), Map.of());
    }

    /** Positives as violating, unlabelled as acceptable, constitution to every fold. */
    static List<CrossFitExample> examples(TrainingInput input) {
        List<CrossFitExample> out = new ArrayList<>(input.violating().size() + input.unlabelled().size()
                + input.constitution().size());
        for (TextDocument d : input.violating()) {
            out.add(new CrossFitExample(d.id(), new Example(d.text(), true, 1f)));
        }
        for (TextDocument d : input.unlabelled()) {
            out.add(new CrossFitExample(d.id(), new Example(d.text(), false, 1f)));
        }
        out.addAll(Exemplars.crossFitted(input.constitution()));
        return out;
    }
}
