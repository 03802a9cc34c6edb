package io.recurate.curation.simulate;

import io.recurate.curation.train.CrossFitModels;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.HeadLearner;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.TrainerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kind of model an in-memory loop trains, and how it scores a corpus: the hashed n-gram model (featurized once per
 * document) or heads on a pretrained encoder (embedded once per document, before the loop).
 */
public interface LoopModels {
    /** The learner of v0, from the constitution alone. */
    FoldLearner initial(int folds);

    /** The learner of the versions after a pass (and of the supervised ceiling, without a previous version). */
    FoldLearner next(int folds, FoldModels previous);

    /** Every document's score by the fold model that did not train on it. */
    float[] score(FoldModels version, List<LabelledDocument> documents);

    /** What the models are, for tables. */
    String describe();

    /** The built-in model: SGD on hashed n-grams (v0 with more epochs and no hold-out, as {@code run} trains it). */
    static LoopModels hashed(FeaturizerSpec spec, TrainerSettings passSettings, TrainerSettings constitutionSettings) {
        Featurizer featurizer = new Featurizer(spec);
        Map<String, int[]> ids = new HashMap<>();
        return new LoopModels() {
            @Override
            public FoldLearner initial(int folds) {
                return new CrossFitTrainer(spec, constitutionSettings, folds);
            }

            @Override
            public FoldLearner next(int folds, FoldModels previous) {
                return new CrossFitTrainer(spec, passSettings, folds);
            }

            @Override
            public float[] score(FoldModels version, List<LabelledDocument> documents) {
                float[] out = new float[documents.size()];
                for (int i = 0; i < out.length; i++) {
                    LabelledDocument d = documents.get(i);
                    out[i] = version instanceof CrossFitModels m
                            ? m.score(d.id(), ids.computeIfAbsent(d.id(), k -> featurizer.ids(d.text())))
                            : version.score(d.id(), d.text());
                }
                return out;
            }

            @Override
            public String describe() {
                return "hashed n-grams";
            }
        };
    }

    /**
     * Logistic heads on an encoder whose embeddings are known for every text the loop sees (corpus and constitution).
     *
     * @param embeddings the embedding of each text
     */
    static LoopModels heads(String encoder, Map<String, float[]> embeddings, double l2) {
        HeadLearner.Embeddings lookup = texts -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                float[] e = embeddings.get(t);
                if (e == null) {
                    throw new IllegalArgumentException("No embedding of a text of " + t.length() + " characters");
                }
                out.add(e);
            }
            return out;
        };
        return new LoopModels() {
            @Override
            public FoldLearner initial(int folds) {
                return next(folds, null);
            }

            @Override
            public FoldLearner next(int folds, FoldModels previous) {
                return new HeadLearner(folds, encoder, lookup, l2,
                        previous instanceof HeadLearner.Models m ? m.heads() : null, heads -> { });
            }

            @Override
            public float[] score(FoldModels version, List<LabelledDocument> documents) {
                return ((HeadLearner.Models) version).scores(documents.stream().map(LabelledDocument::id).toList(),
                        documents.stream().map(LabelledDocument::text).toList());
            }

            @Override
            public String describe() {
                return "heads on " + encoder;
            }
        };
    }
}
