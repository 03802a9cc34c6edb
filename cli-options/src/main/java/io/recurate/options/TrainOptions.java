package io.recurate.options;

import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.TrainerSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Featurizer and trainer options, shared by the commands that train (model train, run, trainer) and the benchmarks. */
public final class TrainOptions {
    @Option(names = "--dim", defaultValue = "32", description = "Embedding dimension (default: ${DEFAULT-VALUE}).")
    public int dim;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    public int epochs;

    @Option(names = "--lr", defaultValue = "1.0", description = "Initial learning rate, decayed linearly to 0 (default: ${DEFAULT-VALUE}).")
    public float learningRate;

    @Option(names = "--ngrams", defaultValue = "1,2", split = ",", description = "Word n-gram orders (default: ${DEFAULT-VALUE}).")
    public List<Integer> ngrams;

    @Option(names = "--buckets", defaultValue = "2097152", description = "Hash buckets (default: ${DEFAULT-VALUE} = 2^21).")
    public int buckets;

    @Option(names = "--max-tokens", defaultValue = "4096", description = "Tokens used per document (default: ${DEFAULT-VALUE}).")
    public int maxTokens;

    @Option(names = "--threads", defaultValue = "1", description = "Training threads; 1 is reproducible for a seed (default: ${DEFAULT-VALUE}).")
    public int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialization, order and validation split (default: ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--validation", defaultValue = "0.1", description = "Share held out for early stopping and metrics (default: ${DEFAULT-VALUE}).")
    public double validation;

    @Option(names = "--patience", defaultValue = "2", description = "Epochs without improvement before stopping early (default: ${DEFAULT-VALUE}).")
    public int patience;

    @Option(names = "--balance", description = "Weight the classes inversely to their frequency.")
    public boolean balance;

    public FeaturizerSpec spec() {
        return FeaturizerSpec.of(ngrams, buckets, maxTokens);
    }

    public TrainerSettings settings() {
        return new TrainerSettings(dim, epochs, learningRate, threads, seed, validation, patience, balance);
    }

    /** What a bundle records of how it was trained. */
    public Map<String, String> provenance() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("trainer", "recurate fastText-style SGD");
        p.putAll(settings().provenance());
        return p;
    }
}
