package io.recurate.curation.versions;

import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.TrainerSettings;
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
 */
public record TrainerConfig(Map<String, Object> kafkaConfig, Path artifacts, String modelName, Path constitution,
                            float constitutionWeight, int maxPerClass, FeaturizerSpec spec, TrainerSettings settings,
                            OnnxExporter exporter, float threshold, io.recurate.curation.policy.CurationPolicy policy) {
}
