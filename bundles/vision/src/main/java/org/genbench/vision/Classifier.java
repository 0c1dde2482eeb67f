package org.genbench.vision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.genbench.api.AdamSettings;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Init;
import org.genbench.nn.Layer;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.Sequential;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.Linear;
import org.genbench.nn.optim.Adam;

/**
 * A classifier of feature vectors trained on the nn substrate: an MLP with ReLU hidden layers, or with none a
 * multinomial logistic regression (a linear probe). He-normal weights and zero biases; mini-batch Adam on the mean cross-entropy for a fixed number of
 * epochs, the rows shuffled every epoch; float32; every random choice (initial weights, order) from the stream given.
 * The evaluators that train a classifier on one set and test it on another (train on synthetic, test on real; a
 * labeller of samples; linear probes) use this one, so their numbers share an architecture and a budget.
 */
public final class Classifier {
    /** Inputs used as they are. */
    public static final String INPUTS_NONE = "none";
    /** Divided by 255 when the training rows hold any value above 1 (8-bit pixels), as the feature network does. */
    public static final String INPUTS_PIXELS = "pixels";
    /** Shifted and scaled to zero mean and unit variance per feature, with the training rows' statistics. */
    public static final String INPUTS_STANDARDIZE = "standardize";
    private static final List<String> INPUTS = List.of(INPUTS_NONE, INPUTS_PIXELS, INPUTS_STANDARDIZE);
    private static final int PREDICT_ROWS = 1000;

    /**
     * How to build and train: hidden layer widths (empty for a linear classifier), epochs, batch size, Adam's
     * learning rate (betas 0.9, 0.999, epsilon 1e-8), decoupled weight decay (AdamW; 0 for none) and the input
     * transformation ({@code none}, {@code pixels}, {@code standardize}).
     */
    public record Recipe(List<Integer> hidden, int epochs, int batchSize, double learningRate, double weightDecay,
                         String inputs) {
        public Recipe {
            hidden = List.copyOf(hidden);
            for (int i = 0; i < hidden.size(); i++) {
                if (hidden.get(i) == null || hidden.get(i) < 1) {
                    throw new IllegalArgumentException("hidden[" + i + "] must be >= 1, was " + hidden.get(i));
                }
            }
            if (epochs < 1 || epochs > 10_000) {
                throw new IllegalArgumentException("epochs must be in 1..10000, was " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
            }
            if (!INPUTS.contains(inputs)) {
                throw new IllegalArgumentException("inputs must be one of " + INPUTS + ", was '" + inputs + "'");
            }
        }

        /**
         * The feature network's recipe on nn ({@link FashionMnistClassifier}: MLP 256-128 with ReLU, Adam 1e-3, batch
         * 128, 3 epochs, pixels to [0, 1]), so a classifier trained on real images by it reaches the accuracy that
         * network's training records.
         */
        public static Recipe featureNetworkMlp() {
            return new Recipe(List.of(256, 128), 3, 128, 1e-3, 0, INPUTS_PIXELS);
        }

        /** A linear probe: multinomial logistic regression on standardized features. */
        public static Recipe linearProbe(int epochs, double weightDecay) {
            return new Recipe(List.of(), epochs, 128, 1e-3, weightDecay, INPUTS_STANDARDIZE);
        }

        /** The same recipe with another input transformation. */
        public Recipe withInputs(String newInputs) {
            return new Recipe(hidden, epochs, batchSize, learningRate, weightDecay, newInputs);
        }

        /** The same recipe with another number of epochs. */
        public Recipe withEpochs(int newEpochs) {
            return new Recipe(hidden, newEpochs, batchSize, learningRate, weightDecay, inputs);
        }

        /** For protocols: every setting by name. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architecture", hidden.isEmpty() ? "linear (multinomial logistic regression)"
                    : "MLP " + hidden + " ReLU, linear output");
            m.put("epochs", epochs);
            m.put("batch_size", batchSize);
            m.put("optimizer", String.format(Locale.ROOT, "Adam(lr=%s, betas=(0.9, 0.999), eps=1e-8)%s", learningRate,
                    weightDecay > 0 ? ", decoupled weight decay " + weightDecay : ""));
            m.put("loss", "mean cross-entropy");
            m.put("inputs", inputs);
            return m;
        }
    }

    private final Recipe recipe;
    private final int d;
    private final int classes;
    private final Sequential net;
    private final float[] shift;
    private final float[] scale;

    private Classifier(Recipe recipe, int d, int classes, Sequential net, float[] shift, float[] scale) {
        this.recipe = recipe;
        this.d = d;
        this.classes = classes;
        this.net = net;
        this.shift = shift;
        this.scale = scale;
    }

    /**
     * Trains on {@code n = y.length} rows of {@code x} (row-major, {@code d} values each) with labels in
     * {@code 0..classes-1}.
     */
    public static Classifier train(float[] x, int[] y, int d, int classes, Recipe recipe, Rng rng) {
        int n = y.length;
        if (n < 1) {
            throw new IllegalArgumentException("a classifier needs at least one training example");
        }
        if (d < 1 || (long) n * d != x.length) {
            throw new IllegalArgumentException(x.length + " values do not make " + n + " rows of " + d);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, was " + classes);
        }
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new IllegalArgumentException("label " + y[i] + " at row " + i + " is not a class in 0.." + (classes - 1));
            }
        }
        float[][] affine = fitInputs(x, n, d, recipe.inputs());
        Rng init = rng.split("init");
        List<Layer> layers = new ArrayList<>();
        int in = d;
        for (int width : recipe.hidden()) {
            layers.add(heInitialized(new Linear(in, width, DType.F32, init), init));
            layers.add(Activation.RELU);
            in = width;
        }
        layers.add(heInitialized(new Linear(in, classes, DType.F32, init), init));
        Sequential net = new Sequential(layers.toArray(new Layer[0]));
        Classifier c = new Classifier(recipe, d, classes, net, affine[0], affine[1]);
        c.fit(x, y, rng.split("order"));
        return c;
    }

    /** He-normal weights and zero biases, as the feature network's DL4J recipe (WeightInit.RELU) starts. */
    private static Linear heInitialized(Linear layer, Rng rng) {
        layer.weight().assign(Init.he(rng, DType.F32, layer.inFeatures(), layer.outFeatures(), layer.inFeatures()));
        layer.bias().fill(0);
        return layer;
    }

    private void fit(float[] x, int[] y, Rng orderRng) {
        int n = y.length;
        Adam adam = new Adam(net.parameters(), new AdamSettings(recipe.learningRate(), 0.9, 0.999, 1e-8),
                recipe.weightDecay(), true);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int b = recipe.batchSize();
        float[] batch = new float[Math.min(b, n) * d];
        for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
            Rng r = orderRng.split(epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += b) {
                int len = Math.min(b, n - start);
                float[] xb = len == batch.length / d ? batch : new float[len * d];
                int[] yb = new int[len];
                for (int r2 = 0; r2 < len; r2++) {
                    int row = order[start + r2];
                    transformRow(x, row, xb, r2);
                    yb[r2] = y[row];
                }
                try (Graph g = Graph.record()) {
                    NdArray loss = Losses.crossEntropy(net.forward(NdArray.wrap(xb, len, d)), yb);
                    loss.backward();
                }
                adam.step(recipe.learningRate());
            }
        }
    }

    private static float[][] fitInputs(float[] x, int n, int d, String inputs) {
        float[] shift = new float[d];
        float[] scale = new float[d];
        java.util.Arrays.fill(scale, 1f);
        switch (inputs) {
            case INPUTS_PIXELS -> {
                float max = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                if (max > 1) {
                    java.util.Arrays.fill(scale, 1f / 255f);
                }
            }
            case INPUTS_STANDARDIZE -> {
                double[] mean = new double[d];
                double[] sq = new double[d];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        mean[j] += x[i * d + j];
                    }
                }
                for (int j = 0; j < d; j++) {
                    mean[j] /= n;
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        double c = x[i * d + j] - mean[j];
                        sq[j] += c * c;
                    }
                }
                for (int j = 0; j < d; j++) {
                    double sd = Math.sqrt(sq[j] / n);
                    shift[j] = (float) mean[j];
                    // A constant feature (a border pixel that is always 0) carries nothing; leave it at 0.
                    scale[j] = sd > 1e-12 ? (float) (1 / sd) : 1f;
                }
            }
            default -> {
            }
        }
        return new float[][] {shift, scale};
    }

    private void transformRow(float[] x, int row, float[] out, int outRow) {
        int src = row * d;
        int dst = outRow * d;
        for (int j = 0; j < d; j++) {
            out[dst + j] = (x[src + j] - shift[j]) * scale[j];
        }
    }

    public Recipe recipe() {
        return recipe;
    }

    public int inputDimension() {
        return d;
    }

    public int classes() {
        return classes;
    }

    /** Class probabilities of every row of {@code x}: {@code [n * classes]}, row-major. */
    public double[] probabilities(float[] x) {
        if (x.length % d != 0) {
            throw new IllegalArgumentException(x.length + " values are not rows of " + d);
        }
        int n = x.length / d;
        double[] out = new double[n * classes];
        for (int start = 0; start < n; start += PREDICT_ROWS) {
            int len = Math.min(PREDICT_ROWS, n - start);
            float[] xb = new float[len * d];
            for (int r = 0; r < len; r++) {
                transformRow(x, start + r, xb, r);
            }
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray p = F.softmax(net.forward(NdArray.wrap(xb, len, d)), 1);
                for (int i = 0; i < len * classes; i++) {
                    out[start * classes + i] = p.getFlat(i);
                }
            }
        }
        return out;
    }

    /** The most probable class of every row of {@code x} (the first one on ties). */
    public int[] predict(float[] x) {
        double[] p = probabilities(x);
        int n = p.length / classes;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (p[i * classes + c] > p[i * classes + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** The fraction of rows of {@code x} whose predicted class is {@code y}'s. */
    public double accuracy(float[] x, int[] y) {
        int[] predicted = predict(x);
        if (predicted.length != y.length) {
            throw new IllegalArgumentException(predicted.length + " rows but " + y.length + " labels");
        }
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            correct += predicted[i] == y[i] ? 1 : 0;
        }
        return (double) correct / y.length;
    }

    /** Mean cross-entropy (nats) of {@code y} under the classifier, for tests and protocols. */
    public double crossEntropy(float[] x, int[] y) {
        double[] p = probabilities(x);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum -= Math.log(Math.max(p[i * classes + y[i]], Double.MIN_NORMAL));
        }
        return sum / y.length;
    }
}
