package io.recurate.curation;

import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A labelled corpus with the structure the loop relies on: violators use words of two spam families
 * ("obvious" ones the constitution shows, and "subtle" ones it never does, which co-occur with the
 * obvious ones), acceptable documents use work words, all share common words.
 */
public final class SyntheticCorpus {
    public static final FeaturizerSpec SPEC = FeaturizerSpec.of(List.of(1, 2), 1 << 14, 256);
    public static final TrainerSettings SETTINGS = TrainerSettings.defaults();
    public static final TrainerSettings CONSTITUTION_SETTINGS = TrainerSettings.defaults().withEpochs(60)
            .withValidationFraction(0);
    private static final String[] OBVIOUS = {"viagra", "lottery", "casino", "winner", "pills", "jackpot"};
    private static final String[] SUBTLE = {"offer", "deal", "click", "free", "limited", "bonus", "unsubscribe", "rates"};
    private static final String[] WORK = {"meeting", "invoice", "agenda", "report", "schedule", "review", "budget", "team"};
    private static final String[] COMMON = {"the", "a", "today", "please", "see", "you", "with", "and", "for", "this",
            "we", "our", "new", "time"};

    private SyntheticCorpus() {
    }

    /** {@code n} documents, {@code violatingShare} of them violating. */
    public static List<LabelledDocument> documents(int n, double violatingShare, long seed) {
        Random random = new Random(seed);
        List<LabelledDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean violating = random.nextDouble() < violatingShare;
            out.add(new LabelledDocument("d" + seed + "-" + i, text(violating, random), violating));
        }
        return out;
    }

    private static String text(boolean violating, Random random) {
        StringBuilder b = new StringBuilder();
        // A third of the violators are subtle: no obvious word at all.
        boolean subtle = violating && random.nextInt(3) == 0;
        for (int w = 0; w < 20; w++) {
            String[] pool;
            int r = random.nextInt(10);
            if (violating && r < 3) {
                pool = subtle || r == 0 ? SUBTLE : OBVIOUS;
            } else if (!violating && r < 3) {
                pool = random.nextInt(6) == 0 ? SUBTLE : WORK;
            } else {
                pool = COMMON;
            }
            b.append(pool[random.nextInt(pool.length)]).append(' ');
        }
        return b.toString().trim();
    }

    /** A constitution of obvious violators and acceptable documents (weights 5). */
    public static List<Example> constitution(int each, long seed) {
        Random random = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            StringBuilder v = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                v.append(w % 3 == 0 ? OBVIOUS[random.nextInt(OBVIOUS.length)] : COMMON[random.nextInt(COMMON.length)]).append(' ');
            }
            out.add(new Example(v.toString().trim(), true, 5f));
            out.add(new Example(text(false, random), false, 5f));
        }
        return out;
    }
}
