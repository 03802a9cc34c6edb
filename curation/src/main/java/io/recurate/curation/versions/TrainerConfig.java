package io.recurate.curation.versions;

import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.transformer.EncoderFiles;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the trainer worker is configured with.
 *
 * @param kafkaConfig        client settings of the cluster
 * @param artifacts          artifact store: bundles go to {@code <artifacts>/<model>/<version>}
 * @param modelName          name of the model the loop trains
 * @param constitution       labelled exemplars that define what is unacceptable
 * @param constitutionWeight weight of an exemplar relative to a pass document
 * @param maxPerClass        most documents per class read from a pass (uniform reservoir sample beyond)
 * @param spec               featurizer of every version
 * @param settings           trainer settings
 * @param exporter           ONNX export
 * @param threshold          default threshold recorded in new versions
 * @param policy             how versions are trained (folds, training rule); its threshold rule is the loop's
 * @param bundlesInKafka     also write every bundle to {@code <ns>.bundles} and announce {@code kafka:} URIs, so
 *                           that scorers on other hosts need no shared folder ({@code --artifact-store kafka})
 * @param encoder            the pretrained encoder v0's heads are trained on, or null for the hashed n-gram model
 *                           (later versions are of the kind of the version that scored the pass); asked for when v0 is
 *                           trained, so that a trainer that never trains v0 never fetches it
 */
public record TrainerConfig(Map<String, Object> kafkaConfig, Path artifacts, String modelName, Path constitution,
                            float constitutionWeight, int maxPerClass, FeaturizerSpec spec, TrainerSettings settings,
                            OnnxExporter exporter, float threshold, io.recurate.curation.policy.CurationPolicy policy,
                            boolean bundlesInKafka, java.util.function.Supplier<EncoderFiles> encoder) {

    /** The hashed n-gram model from v0 on. */
    public TrainerConfig(Map<String, Object> kafkaConfig, Path artifacts, String modelName, Path constitution,
                         float constitutionWeight, int maxPerClass, FeaturizerSpec spec, TrainerSettings settings,
                         OnnxExporter exporter, float threshold, io.recurate.curation.policy.CurationPolicy policy,
                         boolean bundlesInKafka) {
        this(kafkaConfig, artifacts, modelName, constitution, constitutionWeight, maxPerClass, spec, settings, exporter,
                threshold, policy, bundlesInKafka, null);
    }

    /** Bundles as files under {@code artifacts} only. */
    public TrainerConfig(Map<String, Object> kafkaConfig, Path artifacts, String modelName, Path constitution,
                         float constitutionWeight, int maxPerClass, FeaturizerSpec spec, TrainerSettings settings,
                         OnnxExporter exporter, float threshold, io.recurate.curation.policy.CurationPolicy policy) {
        this(kafkaConfig, artifacts, modelName, constitution, constitutionWeight, maxPerClass, spec, settings, exporter,
                threshold, policy, false);
    }
}
