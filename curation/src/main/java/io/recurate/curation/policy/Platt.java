package io.recurate.curation.policy;

/**
 * Platt scaling (1999): the sigmoid σ(a·x + b) that best explains targets in [0, 1] by log loss, fitted by
 * Newton's method with step halving (the loss is convex; halving keeps separable data from overshooting).
 * Turns a ranking score into a probability.
 */
public record Platt(double a, double b) {

    public double probability(double x) {
        return 1 / (1 + Math.exp(-(a * x + b)));
    }

    /** Fits {@code targets} (soft labels) on scores {@code x}, each with weight {@code weights[i]}. */
    public static Platt fit(double[] x, double[] targets, double[] weights) {
        double a = 1;
        double b = 0;
        double loss = loss(x, targets, weights, a, b);
        for (int iter = 0; iter < 200; iter++) {
            double ga = 0;
            double gb = 0;
            double haa = 1e-9;
            double hab = 0;
            double hbb = 1e-9;
            for (int i = 0; i < x.length; i++) {
                double p = sigmoid(a * x[i] + b);
                double w = weights[i];
                ga += w * (p - targets[i]) * x[i];
                gb += w * (p - targets[i]);
                haa += w * p * (1 - p) * x[i] * x[i];
                hab += w * p * (1 - p) * x[i];
                hbb += w * p * (1 - p);
            }
            double det = haa * hbb - hab * hab;
            double da = det > 1e-12 ? (hbb * ga - hab * gb) / det : ga;
            double db = det > 1e-12 ? (haa * gb - hab * ga) / det : gb;
            double step = 1;
            double next = loss(x, targets, weights, a - da, b - db);
            while (next > loss && step > 1e-10) {
                step /= 2;
                next = loss(x, targets, weights, a - step * da, b - step * db);
            }
            if (!(next <= loss)) {
                break;
            }
            a -= step * da;
            b -= step * db;
            boolean converged = loss - next < 1e-12 * Math.max(1, Math.abs(loss));
            loss = next;
            if (converged) {
                break;
            }
        }
        return new Platt(a, b);
    }

    /** Fits hard labels with Platt's smoothed targets (N+ + 1)/(N+ + 2) and 1/(N− + 2), which keep a and b finite. */
    public static Platt fitLabels(double[] x, boolean[] violating) {
        int pos = 0;
        for (boolean v : violating) {
            pos += v ? 1 : 0;
        }
        int neg = violating.length - pos;
        double[] targets = new double[x.length];
        double[] weights = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            targets[i] = violating[i] ? (pos + 1.0) / (pos + 2.0) : 1.0 / (neg + 2.0);
            weights[i] = 1;
        }
        return fit(x, targets, weights);
    }

    private static double loss(double[] x, double[] t, double[] w, double a, double b) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double m = a * x[i] + b;
            // log(1 + e^m) - t m, without overflow
            sum += w[i] * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - t[i] * m);
        }
        return sum;
    }

    private static double sigmoid(double m) {
        return 1 / (1 + Math.exp(-m));
    }
}
