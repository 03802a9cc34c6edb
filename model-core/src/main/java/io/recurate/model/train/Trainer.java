package io.recurate.model.train;

import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fastText's supervised training for one binary label: embedding bag, linear layer, sigmoid and
 * logistic loss, trained by lock-free ("Hogwild") SGD over shared arrays with a learning rate that
 * decays linearly to zero over all epochs. Examples stream in once and are featurized on the way;
 * a seeded share is held out for early stopping on validation loss.
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);
    /** Tokens a thread processes before publishing its progress (and reading the learning rate). */
    private static final int PROGRESS_STEP = 2048;

    private final Featurizer featurizer;
    private final TrainerSettings settings;

    public Trainer(FeaturizerSpec spec, TrainerSettings settings) {
        this.featurizer = new Featurizer(spec);
        this.settings = settings;
    }

    /** A trained model and its report. */
    public record Result(LinearModel model, TrainingReport report) {
    }

    private record Featurized(int[] ids, int tokens, boolean violating, float weight) {
    }

    public Result train(Iterator<Example> examples, TrainingListener listener) {
        long featurizeStart = System.nanoTime();
        Random split = new Random(settings.seed());
        List<Featurized> train = new ArrayList<>();
        List<Featurized> validation = new ArrayList<>();
        long read = 0;
        while (examples.hasNext()) {
            Example e = examples.next();
            int[] ids = featurizer.ids(e.text());
            Featurized f = new Featurized(ids, featurizer.tokenCount(e.text()), e.violating(), e.weight());
            (split.nextDouble() < settings.validationFraction() ? validation : train).add(f);
            if (++read % 1000 == 0) {
                listener.examplesRead(read);
            }
        }
        listener.examplesRead(read);
        if (train.isEmpty()) {
            throw new IllegalArgumentException("No training examples (read " + read + ", all held out for validation)");
        }
        double featurizeSeconds = (System.nanoTime() - featurizeStart) / 1e9;
        long violating = train.stream().filter(Featurized::violating).count();
        float[] classWeight = classWeights(train.size(), violating);
        // Weights say how examples compare; the step size is the learning rate's job. Scaling them to a
        // mean of 1 keeps a set of heavy exemplars from multiplying the step (and diverging).
        double meanWeight = train.stream().mapToDouble(f -> f.weight() * classWeight[f.violating() ? 1 : 0]).average()
                .orElse(1);
        classWeight[0] /= (float) meanWeight;
        classWeight[1] /= (float) meanWeight;
        long tokens = train.stream().mapToLong(Featurized::tokens).sum();

        LinearModel model = initialModel();
        LinearModel best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int epochsRun = 0;
        double trainLoss = Double.NaN;
        long trainStart = System.nanoTime();
        AtomicLong progress = new AtomicLong();
        long totalTokens = Math.max(1, tokens * settings.epochs());
        Random shuffle = new Random(settings.seed() + 1);
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "trainer");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                int[] order = permutation(train.size(), shuffle);
                trainLoss = runEpoch(model, train, order, classWeight, progress, totalTokens, pool, listener);
                epochsRun = epoch;
                float[] scores = scoreAll(model, validation);
                boolean[] labels = labels(validation);
                double validationLoss = validation.isEmpty() ? trainLoss : Metrics.logLoss(scores, labels);
                double auc = validation.isEmpty() ? Double.NaN : Metrics.rocAuc(scores, labels);
                listener.epochFinished(new TrainingListener.EpochStats(epoch, trainLoss, validationLoss, auc));
                log.debug("epoch {}: train loss {}, validation loss {}, AUC {}", epoch, trainLoss, validationLoss, auc);
                if (validationLoss < bestLoss - 1e-6) {
                    bestLoss = validationLoss;
                    bestEpoch = epoch;
                    best = validation.isEmpty() || epoch == settings.epochs() ? null : model.copyInto(best);
                } else if (!validation.isEmpty() && epoch - bestEpoch >= settings.patience()) {
                    log.info("Early stop after epoch {}: validation loss has not improved since epoch {}", epoch, bestEpoch);
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (best != null && bestEpoch != epochsRun) {
            model = best;
        }
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        float[] scores = scoreAll(model, validation);
        boolean[] labels = labels(validation);
        TrainingReport report = new TrainingReport(train.size(), validation.size(), violating, tokens, epochsRun,
                bestEpoch, trainLoss, validation.isEmpty() ? Double.NaN : Metrics.logLoss(scores, labels),
                validation.isEmpty() ? Double.NaN : Metrics.rocAuc(scores, labels),
                validation.isEmpty() ? Double.NaN : Metrics.confusion(scores, labels, 0.5f).accuracy(),
                featurizeSeconds, trainSeconds, settings.threads());
        return new Result(model, report);
    }

    private LinearModel initialModel() {
        FeaturizerSpec spec = featurizer.spec();
        int dim = settings.dim();
        float[] embeddings = new float[(spec.buckets() + 1) * dim];
        Random init = new Random(settings.seed());
        float range = 1f / dim; // fastText's uniform(-1/dim, 1/dim); the output layer starts at zero
        for (int i = dim; i < embeddings.length; i++) { // row 0 is padding and stays zero
            embeddings[i] = (init.nextFloat() * 2 - 1) * range;
        }
        return new LinearModel(spec, dim, embeddings, new float[dim], 0f);
    }

    private float[] classWeights(long total, long violating) {
        if (!settings.balanceClasses() || violating == 0 || violating == total) {
            return new float[] {1f, 1f};
        }
        return new float[] {total / (2f * (total - violating)), total / (2f * violating)};
    }

    private double runEpoch(LinearModel model, List<Featurized> train, int[] order, float[] classWeight,
                            AtomicLong progress, long totalTokens, ExecutorService pool, TrainingListener listener) {
        int threads = settings.threads();
        DoubleAdder loss = new DoubleAdder();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) order.length * t / threads);
            int to = (int) ((long) order.length * (t + 1) / threads);
            futures.add(pool.submit(() -> loss.add(trainSlice(model, train, order, from, to, classWeight, progress,
                    totalTokens, listener))));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Training interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("Training thread failed: " + e.getCause(), e.getCause());
            }
        }
        return loss.sum() / order.length;
    }

    /** One thread's share of an epoch. Updates the shared arrays without locks, as fastText does. */
    private double trainSlice(LinearModel m, List<Featurized> train, int[] order, int from, int to, float[] classWeight,
                              AtomicLong progress, long totalTokens, TrainingListener listener) {
        final int dim = m.dim;
        final float[] e = m.embeddings;
        final float[] w = m.weights;
        final float[] hidden = new float[dim];
        final float[] grad = new float[dim];
        final float lr0 = settings.learningRate();
        float lr = (float) (lr0 * Math.max(0, 1 - (double) progress.get() / totalTokens));
        long pending = 0;
        double lossSum = 0;
        for (int k = from; k < to; k++) {
            Featurized ex = train.get(order[k]);
            int[] ids = ex.ids();
            int n = ids.length;
            java.util.Arrays.fill(hidden, 0f);
            for (int id : ids) {
                int base = id * dim;
                for (int d = 0; d < dim; d++) {
                    hidden[d] += e[base + d];
                }
            }
            float inv = n == 0 ? 0f : 1f / n;
            float z = m.bias;
            for (int d = 0; d < dim; d++) {
                hidden[d] *= inv;
                z += w[d] * hidden[d];
            }
            float p = LinearModel.sigmoid(z);
            float y = ex.violating() ? 1f : 0f;
            float weight = ex.weight() * classWeight[ex.violating() ? 1 : 0];
            lossSum -= weight * Math.log(Math.max(1e-7, ex.violating() ? p : 1 - p));
            float g = lr * weight * (y - p);
            for (int d = 0; d < dim; d++) {
                grad[d] = g * w[d] * inv;
                w[d] += g * hidden[d];
            }
            m.bias += g;
            for (int id : ids) {
                int base = id * dim;
                for (int d = 0; d < dim; d++) {
                    e[base + d] += grad[d];
                }
            }
            pending += Math.max(1, ex.tokens());
            if (pending >= PROGRESS_STEP) {
                long done = progress.addAndGet(pending);
                pending = 0;
                lr = (float) (lr0 * Math.max(0, 1 - (double) done / totalTokens));
                listener.progress(done, totalTokens);
            }
        }
        listener.progress(progress.addAndGet(pending), totalTokens);
        return lossSum;
    }

    private static float[] scoreAll(LinearModel model, List<Featurized> examples) {
        float[] scores = new float[examples.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = model.score(examples.get(i).ids());
        }
        return scores;
    }

    private static boolean[] labels(List<Featurized> examples) {
        boolean[] labels = new boolean[examples.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = examples.get(i).violating();
        }
        return labels;
    }

    private static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
