package org.genbench.eval.bias.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.vision.Classifier;
import org.genbench.vision.Vectors;
import org.osgi.service.component.annotations.Component;

/**
 * Bias: outputs that systematically differ from the data. A classifier trained on the real training split (the
 * labeller) names the class of every sample; the samples' class distribution q is compared with the training split's
 * p (total variation, smoothed KL, per-class ratio q/p). When the training split was deliberately skewed
 * ({@code classWeights} of the dataset), the skew is measured from the unskewed test split t, and the amplification
 * says whether the model reproduces (1), amplifies (above 1) or undoes (0) its training skew. Conditional models are
 * also asked for samples of each class, and the labeller's agreement with the requested class is their per-class
 * accuracy.
 *
 * <p>The labeller sees a class-balanced resample of the training split, so that its own prior does not carry the
 * training skew into the labels; its test accuracy and the error of its class shares on the test split are reported
 * as the floor of what these numbers can resolve.
 */
@Component(service = Evaluator.class)
public final class BiasEvaluator implements Evaluator<BiasEvaluator.Config> {
    static final double ALPHA = 0.5;
    /** A training set is skewed when its TV from the reference exceeds this many times sampling's expected TV. */
    static final double SKEWED = 3;

    /**
     * @param samples      at most this many of each sampler's samples are labelled, 10..1000000 (default 10000)
     * @param perClass     samples per class drawn from a conditional model, 0..100000 (default 500; 0: none)
     * @param split        the unskewed reference split (default {@code test})
     * @param hidden       the labeller's hidden layers (default 256, 128, the feature network's architecture)
     * @param epochs       its epochs, 1..1000 (default 3)
     * @param batchSize    (default 128)
     * @param learningRate Adam's (default 1e-3)
     */
    public record Config(Integer samples, Integer perClass, String split, List<Integer> hidden, Integer epochs,
                         Integer batchSize, Double learningRate) {
        public Config {
            samples = samples == null ? 10_000 : samples;
            if (samples < 10 || samples > 1_000_000) {
                throw new IllegalArgumentException("samples must be in 10..1000000, was " + samples);
            }
            perClass = perClass == null ? 500 : perClass;
            if (perClass < 0 || perClass > 100_000) {
                throw new IllegalArgumentException("perClass must be in 0..100000, was " + perClass);
            }
            split = split == null ? "test" : split;
            hidden = hidden == null ? List.of(256, 128) : List.copyOf(hidden);
            epochs = epochs == null ? 3 : epochs;
            if (epochs < 1 || epochs > 1000) {
                throw new IllegalArgumentException("epochs must be in 1..1000, was " + epochs);
            }
            batchSize = batchSize == null ? 128 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            recipe(hidden, epochs, batchSize, learningRate, false);
        }

        Classifier.Recipe recipe(boolean image) {
            return recipe(hidden, epochs, batchSize, learningRate, image);
        }

        private static Classifier.Recipe recipe(List<Integer> hidden, int epochs, int batchSize, double learningRate,
                                                boolean image) {
            return new Classifier.Recipe(hidden, epochs, batchSize, learningRate, 0,
                    image ? Classifier.INPUTS_PIXELS : Classifier.INPUTS_STANDARDIZE);
        }
    }

    @Override
    public String name() {
        return "bias";
    }

    @Override
    public String description() {
        return "Bias: class distribution of samples vs the data (TV, KL, per-class ratio) by a classifier trained on"
                + " real data, per-class accuracy of conditional samples, amplification of a skewed training set";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.none();
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        DataInfo info = data.info();
        int classes = info.numClasses();
        if (classes < 2) {
            throw new IllegalArgumentException("bias needs a labelled dataset; '" + info.name() + "' has no classes"
                    + " (for toy data: labels true)");
        }
        int d = (int) info.dimension();
        Batch train = data.split("train");
        Batch test = data.split(config.split());
        float[] trainX = Vectors.floats(train.x());
        int[] trainY = Vectors.labels(train.label().orElseThrow(), classes);
        float[] testX = Vectors.floats(test.x());
        int[] testY = Vectors.labels(test.label().orElseThrow(() ->
                new IllegalArgumentException("bias needs labels in split '" + config.split() + "'")), classes);
        double[] p = ClassDistributions.shares(trainY, classes);
        double[] t = ClassDistributions.shares(testY, classes);
        Rng rng = context.rng();
        Classifier.Recipe recipe = config.recipe(info.sampleShape().length >= 2);
        int[] balanced = balancedResample(trainY, classes, rng.split("balance"));
        Classifier labeller = Classifier.train(Vectors.gather(trainX, d, balanced), gather(trainY, balanced), d,
                classes, recipe, rng.split("labeller"));
        int[] predictedTest = labeller.predict(testX);
        double labellerAccuracy = accuracy(predictedTest, testY);
        double labellerTv = ClassDistributions.totalVariation(ClassDistributions.shares(predictedTest, classes), t);
        double trainSkew = ClassDistributions.totalVariation(p, t);
        double noise = ClassDistributions.samplingTv(t, trainY.length, testY.length);
        boolean skewed = trainSkew > SKEWED * noise;

        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("labeller", recipe.describe());
        protocol.put("labeller_training", "a class-balanced resample (with replacement, " + balanced.length
                + " rows) of the training split");
        protocol.put("labeller_test_accuracy", labellerAccuracy);
        protocol.put("labeller_test_tv", labellerTv);
        protocol.put("reference_split", config.split());
        protocol.put("train_shares", toList(p));
        protocol.put("reference_shares", toList(t));
        protocol.put("sampling_tv", noise);
        protocol.put("skewed", "training split counted as skewed (amplification reported) when train_skew_tv > " + SKEWED
                + " x sampling_tv, the TV two samples of these sizes from one distribution differ by on average");
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric("labeller_test_accuracy", labellerAccuracy, "bias", protocol));
        metrics.add(new Metric("labeller_test_tv", labellerTv, "bias", protocol));
        metrics.add(new Metric("train_skew_tv", trainSkew, "bias", protocol));

        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("bias cancelled before sampler '" + e.getKey() + "'");
            }
            String s = e.getKey();
            Tensor x = e.getValue().samples();
            if (x.rowSize() != d) {
                throw new IllegalArgumentException("sampler '" + s + "' drew samples of shape "
                        + Arrays.toString(x.shape()) + "; the data has " + d + " values per example");
            }
            int n = (int) Math.min(config.samples(), x.rows());
            float[] all = Vectors.floats(x);
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = (int) (i * x.rows() / n);
            }
            int[] labels = labeller.predict(Vectors.gather(all, d, rows));
            double[] q = ClassDistributions.shares(labels, classes);
            Map<String, Object> sp = new LinkedHashMap<>(protocol);
            sp.put("sampler", s);
            sp.put("n_samples", n);
            sp.put("sample_shares", toList(q));
            sp.put("kl", "KL(train || samples), sample counts smoothed by +" + ALPHA + " per class");
            metrics.add(new Metric(s + "/tv_to_train", ClassDistributions.totalVariation(p, q), "bias", sp));
            metrics.add(new Metric(s + "/kl_train_to_samples", ClassDistributions.klSmoothed(p, q, n, ALPHA), "bias", sp));
            double minRatio = Double.POSITIVE_INFINITY;
            double maxRatio = 0;
            for (int c = 0; c < classes; c++) {
                if (p[c] > 0) {
                    double ratio = q[c] / p[c];
                    metrics.add(new Metric(s + "/ratio/class=" + c, ratio, "bias", sp));
                    minRatio = Math.min(minRatio, ratio);
                    maxRatio = Math.max(maxRatio, ratio);
                }
            }
            metrics.add(new Metric(s + "/min_class_ratio", minRatio, "bias", sp));
            metrics.add(new Metric(s + "/max_class_ratio", maxRatio, "bias", sp));
            if (skewed) {
                Map<String, Object> ap = new LinkedHashMap<>(sp);
                ap.put("amplification", "least-squares slope over classes of (samples - reference) on (train -"
                        + " reference) shares: 1 reproduces the training skew, > 1 amplifies it, 0 undoes it");
                metrics.add(new Metric(s + "/sample_skew_tv", ClassDistributions.totalVariation(q, t), "bias", ap));
                metrics.add(new Metric(s + "/amplification", ClassDistributions.amplification(p, q, t), "bias", ap));
            }
        }

        Conditional conditional = model == null ? null : model.as(Conditional.class).orElse(null);
        if (conditional != null && config.perClass() > 0) {
            if (conditional.numClasses() != classes) {
                throw new IllegalArgumentException("the model has " + conditional.numClasses()
                        + " classes, the data " + classes);
            }
            int m = config.perClass();
            double[] perClass = new double[classes];
            Rng sampleRng = rng.split("conditional");
            for (int c = 0; c < classes; c++) {
                if (context.isCancelled()) {
                    throw new CancellationException("bias cancelled at class " + c);
                }
                try (Tensor labels = Tensor.allocate(context.allocator(), DType.INT32, m)) {
                    for (int i = 0; i < m; i++) {
                        labels.setDouble(i, c);
                    }
                    float[] drawn;
                    try (Tensor x = conditional.sample(labels, sampleRng.split(c), context.allocator())) {
                        drawn = Vectors.floats(x);
                    }
                    int[] predicted = labeller.predict(drawn);
                    int agree = 0;
                    for (int v : predicted) {
                        agree += v == c ? 1 : 0;
                    }
                    perClass[c] = (double) agree / m;
                }
            }
            Map<String, Object> cp = new LinkedHashMap<>(protocol);
            cp.put("per_class", m);
            cp.put("conditional_accuracy", "share of a class's conditional samples that the labeller puts in that class");
            double mean = 0;
            double min = 1;
            for (int c = 0; c < classes; c++) {
                metrics.add(new Metric("conditional_accuracy/class=" + c, perClass[c], "bias", cp));
                mean += perClass[c] / classes;
                min = Math.min(min, perClass[c]);
            }
            metrics.add(new Metric("conditional_accuracy", mean, "bias", cp));
            metrics.add(new Metric("conditional_accuracy_min", min, "bias", cp));
        }
        return metrics;
    }

    /** Row indices: the same number per class (the training split's size over the classes), drawn with replacement. */
    static int[] balancedResample(int[] labels, int classes, Rng rng) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        int present = (int) byClass.stream().filter(l -> !l.isEmpty()).count();
        int per = Math.max(1, labels.length / present);
        int[] out = new int[per * present];
        int k = 0;
        for (List<Integer> rows : byClass) {
            if (rows.isEmpty()) {
                continue;
            }
            for (int j = 0; j < per; j++) {
                out[k++] = rows.get(rng.nextInt(rows.size()));
            }
        }
        return out;
    }

    private static int[] gather(int[] v, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = v[rows[i]];
        }
        return out;
    }

    private static double accuracy(int[] predicted, int[] y) {
        int ok = 0;
        for (int i = 0; i < y.length; i++) {
            ok += predicted[i] == y[i] ? 1 : 0;
        }
        return (double) ok / y.length;
    }

    private static List<Double> toList(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) {
            out.add(x);
        }
        return out;
    }
}
