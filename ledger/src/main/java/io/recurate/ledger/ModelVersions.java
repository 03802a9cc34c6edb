package io.recurate.ledger;

import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.bundle.BundleKind;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.CrossFitScorer;
import io.recurate.model.score.Scorer;
import io.recurate.schemas.FoldBundle;
import io.recurate.schemas.ModelVersion;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Opens an announced version for scoring: its one bundle, or its K fold bundles behind a
 * {@link CrossFitScorer}. Every bundle passes the serving checks (sha256 against the announcement,
 * featurizer spec, probes) or the whole version is refused.
 */
public final class ModelVersions {
    private ModelVersions() {
    }

    /** A loaded version: the scorer to use and its ONNX sessions (one per fold), for metrics. */
    public record Loaded(Scorer scorer, List<BundleScorer> sessions) implements AutoCloseable {
        @Override
        public void close() {
            scorer.close();
        }
    }

    /** A version whose bundles are files this host can read ({@code file:} URIs). */
    public static Loaded load(ModelVersion version, ScorerSettings settings) {
        return load(version, settings, ModelVersions::bundlePath);
    }

    /** @param resolve where a bundle URI is on this host ({@link BundleStore#resolver} also fetches {@code kafka:} ones) */
    public static Loaded load(ModelVersion version, ScorerSettings settings, Function<String, Path> resolve) {
        // A transformer bundle brings its own tokenizer (checked against its manifest); a hashed n-gram one must
        // have the spec the version announces.
        FeaturizerSpec spec = BundleKind.of(version.getKind()) == BundleKind.HASHED_NGRAM
                ? FeaturizerSpec.fromJson(version.getFeaturizerSpec()) : null;
        if (version.getFolds() == null || version.getFolds().isEmpty()) {
            BundleScorer one = checked(resolve.apply(version.getArtifactUri()), version.getSha256(), settings, spec);
            return new Loaded(one, List.of(one));
        }
        List<FoldBundle> folds = new ArrayList<>(version.getFolds());
        folds.sort(Comparator.comparingInt(FoldBundle::getFold));
        List<BundleScorer> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < folds.size(); i++) {
                if (folds.get(i).getFold() != i) {
                    throw new IllegalArgumentException("the version lists folds " + folds.stream().map(FoldBundle::getFold).toList()
                            + "; a version of " + folds.size() + " folds needs folds 0.." + (folds.size() - 1));
                }
                sessions.add(checked(resolve.apply(folds.get(i).getArtifactUri()), folds.get(i).getSha256(), settings, spec));
            }
        } catch (RuntimeException e) {
            sessions.forEach(BundleScorer::close);
            throw e;
        }
        return new Loaded(new CrossFitScorer(sessions), List.copyOf(sessions));
    }

    private static BundleScorer checked(Path dir, String announcedSha, ScorerSettings settings, FeaturizerSpec spec) {
        BundleScorer scorer = ModelBundle.load(dir, settings, spec);
        // The announcement holds the bundle's digest (its manifest's sha256), or, recorded by a trainer, model.onnx's.
        String digest = ModelBundle.digest(dir);
        String model = ModelBundle.open(dir).manifest().sha256();
        if (!announcedSha.equals(digest) && !announcedSha.equals(model)) {
            scorer.close();
            throw new IllegalArgumentException("bundle " + dir + " has digest " + digest + " (model.onnx " + model
                    + "), the announcement says " + announcedSha + ": the bundle was changed after it was published");
        }
        return scorer;
    }

    public static Path bundlePath(String artifactUri) {
        if (BundleStore.isKafka(artifactUri)) {
            throw new IllegalArgumentException("bundle " + artifactUri + " is stored in Kafka; it is opened through a "
                    + "BundleStore, which downloads it");
        }
        URI uri = URI.create(artifactUri);
        return uri.getScheme() == null ? Path.of(artifactUri) : Path.of(uri);
    }
}
