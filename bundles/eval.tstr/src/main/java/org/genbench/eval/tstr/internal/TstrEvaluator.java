package org.genbench.eval.tstr.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.BufferAllocator;
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
 * Train on synthetic, test on real (Esteban et al. 2017; Ravuri and Vinyals 2019's classification accuracy score):
 * is a conditional model's labelled output good enough to train a classifier? For each synthetic set size n, a
 * classifier is trained on n samples drawn with balanced labels and tested on the real test split, beside the same
 * classifier with the same budget (recipe, epochs, seed) trained on the first n real training examples; and a real
 * subset of fixed size is augmented with the n samples. The curves go to the run's {@code evaluate.png} (x axis: n).
 */
@Component(service = Evaluator.class)
public final class TstrEvaluator implements Evaluator<TstrEvaluator.Config> {
    /**
     * @param sizes        synthetic (and real) training set sizes, each 10..1000000, ascending (default 1000, 3000,
     *                     10000); sizes above the real training split are used for the synthetic side only
     * @param augmentReal  the real subset the samples are added to, 0..1000000 (default 1000; 0: no augmentation)
     * @param split        the real test split (default {@code test})
     * @param hidden       the classifier's hidden layers (default 256, 128: the feature network's architecture)
     * @param epochs       epochs over each training set, 1..1000 (default 3)
     * @param batchSize    (default 128)
     * @param learningRate Adam's (default 1e-3)
     */
    public record Config(List<Integer> sizes, Integer augmentReal, String split, List<Integer> hidden, Integer epochs,
                         Integer batchSize, Double learningRate) {
        public Config {
            sizes = sizes == null ? List.of(1000, 3000, 10000) : List.copyOf(sizes);
            if (sizes.isEmpty()) {
                throw new IllegalArgumentException("sizes must list at least one synthetic set size");
            }
            for (int i = 0; i < sizes.size(); i++) {
                Integer s = sizes.get(i);
                if (s == null || s < 10 || s > 1_000_000) {
                    throw new IllegalArgumentException("sizes[" + i + "] must be in 10..1000000, was " + s);
                }
                if (i > 0 && s <= sizes.get(i - 1)) {
                    throw new IllegalArgumentException("sizes must be ascending, but sizes[" + i + "] = " + s
                            + " follows " + sizes.get(i - 1));
                }
            }
            augmentReal = augmentReal == null ? 1000 : augmentReal;
            if (augmentReal < 0 || augmentReal > 1_000_000) {
                throw new IllegalArgumentException("augmentReal must be in 0..1000000, was " + augmentReal);
            }
            split = split == null ? "test" : split;
            hidden = hidden == null ? List.of(256, 128) : List.copyOf(hidden);
            epochs = epochs == null ? 3 : epochs;
            if (epochs < 1 || epochs > 1000) {
                throw new IllegalArgumentException("epochs must be in 1..1000, was " + epochs);
            }
            batchSize = batchSize == null ? 128 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            recipe(hidden, epochs, batchSize, learningRate, false); // validates the rest by name
        }

        /** Images are scaled as the feature network scales them; other data is standardized. */
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
        return "tstr";
    }

    @Override
    public String description() {
        return "Train on synthetic, test on real: classifier accuracy from a conditional model's samples vs real data of"
                + " the same size and budget, over the synthetic set size, and real data augmented with samples";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(Conditional.class);
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        Conditional conditional = model.as(Conditional.class).orElseThrow(() ->
                new IllegalArgumentException("tstr needs a Conditional model"));
        DataInfo info = data.info();
        int classes = conditional.numClasses();
        if (classes < 2 || info.numClasses() != classes) {
            throw new IllegalArgumentException("tstr needs a labelled dataset with the model's " + classes
                    + " classes; dataset '" + info.name() + "' has " + info.numClasses());
        }
        boolean image = info.sampleShape().length >= 2;
        Classifier.Recipe recipe = config.recipe(image);
        int d = (int) info.dimension();
        Batch train = data.split("train");
        Batch test = data.split(config.split());
        float[] realX = Vectors.floats(train.x());
        int[] realY = Vectors.labels(train.label().orElseThrow(() ->
                new IllegalArgumentException("tstr needs labels in the training split")), classes);
        float[] testX = Vectors.floats(test.x());
        int[] testY = Vectors.labels(test.label().orElseThrow(() ->
                new IllegalArgumentException("tstr needs labels in split '" + config.split() + "'")), classes);
        int largest = config.sizes().get(config.sizes().size() - 1);
        Rng rng = context.rng();
        // One synthetic set of the largest size with balanced labels in a seeded random order; the smaller sets
        // are its prefixes, so the curve is nested like the real one.
        float[] synX;
        int[] synY = balancedLabels(largest, classes, rng.split("labels"));
        try (Tensor labels = Tensor.allocate(context.allocator(), DType.INT32, largest)) {
            for (int i = 0; i < largest; i++) {
                labels.setDouble(i, synY[i]);
            }
            try (Tensor drawn = sampleInChunks(conditional, labels, rng.split("samples"), context.allocator())) {
                if (drawn.rowSize() != d) {
                    throw new IllegalStateException("the model drew samples of " + drawn.rowSize()
                            + " values, the data has " + d);
                }
                synX = Vectors.floats(drawn);
            }
        }
        List<Metric> metrics = new ArrayList<>();
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("classifier", recipe.describe());
        protocol.put("test_split", config.split());
        protocol.put("n_test", testY.length);
        protocol.put("synthetic_labels", "balanced over " + classes + " classes, seeded random order;"
                + " smaller sets are prefixes of the largest");
        protocol.put("real_sets", "the first n examples of the training split");
        protocol.put("same_seed", "each classifier's initialization and order come from the same stream per size");
        int total = config.sizes().size() * 3 + 1;
        int done = 0;
        double lastTstr = Double.NaN;
        double lastTrtr = Double.NaN;
        int lastN = 0;
        for (int n : config.sizes()) {
            check(context);
            Rng sizeRng = rng.split("classifier").split(n);
            double tstr = Classifier.train(Vectors.head(synX, d, n), java.util.Arrays.copyOf(synY, n), d, classes,
                    recipe, sizeRng).accuracy(testX, testY);
            context.progress(++done, total);
            Map<String, Double> point = new LinkedHashMap<>();
            point.put("tstr_accuracy", tstr);
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("n_train", n);
            metrics.add(new Metric("tstr_accuracy@n=" + n, tstr, "tstr", p));
            if (n <= realY.length) {
                check(context);
                double trtr = Classifier.train(Vectors.head(realX, d, n), java.util.Arrays.copyOf(realY, n), d, classes,
                        recipe, sizeRng).accuracy(testX, testY);
                point.put("trtr_accuracy", trtr);
                metrics.add(new Metric("trtr_accuracy@n=" + n, trtr, "tstr", p));
                lastTrtr = trtr;
                lastN = n;
                lastTstr = tstr;
            }
            context.progress(++done, total);
            if (config.augmentReal() > 0) {
                check(context);
                int r = Math.min(config.augmentReal(), realY.length);
                float[] ax = new float[(r + n) * d];
                System.arraycopy(realX, 0, ax, 0, r * d);
                System.arraycopy(synX, 0, ax, r * d, n * d);
                int[] ay = new int[r + n];
                System.arraycopy(realY, 0, ay, 0, r);
                System.arraycopy(synY, 0, ay, r, n);
                double augmented = Classifier.train(ax, ay, d, classes, recipe, sizeRng).accuracy(testX, testY);
                point.put("augmented_accuracy", augmented);
                Map<String, Object> pa = new LinkedHashMap<>(p);
                pa.put("n_real", r);
                pa.put("n_synthetic", n);
                metrics.add(new Metric("augmented_accuracy@real=" + r + "+n=" + n, augmented, "tstr", pa));
            }
            context.progress(++done, total);
            context.log(n, point);
        }
        if (config.augmentReal() > 0) {
            int r = Math.min(config.augmentReal(), realY.length);
            double realOnly = Classifier.train(Vectors.head(realX, d, r), java.util.Arrays.copyOf(realY, r), d, classes,
                    recipe, rng.split("classifier").split("real-only")).accuracy(testX, testY);
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("n_train", r);
            metrics.add(new Metric("real_only_accuracy@n=" + r, realOnly, "tstr", p));
        }
        context.progress(total, total);
        if (lastN > 0) {
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("n_train", lastN);
            metrics.add(new Metric("tstr_accuracy", lastTstr, "tstr", p));
            metrics.add(new Metric("trtr_accuracy", lastTrtr, "tstr", p));
            metrics.add(new Metric("tstr_over_trtr", lastTstr / lastTrtr, "tstr", p));
        }
        return metrics;
    }

    private static void check(RunContext context) {
        if (context.isCancelled()) {
            throw new CancellationException("tstr cancelled");
        }
    }

    /** n labels, as equal per class as n allows, shuffled with rng. */
    static int[] balancedLabels(int n, int classes, Rng rng) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = y[i];
            y[i] = y[j];
            y[j] = t;
        }
        return y;
    }

    /** The model's samples for {@code labels}, drawn 1000 at a time (each chunk its own stream) into one tensor. */
    static Tensor sampleInChunks(Conditional model, Tensor labels, Rng rng, BufferAllocator allocator) {
        int n = (int) labels.rows();
        int chunk = 1000;
        Tensor out = null;
        try {
            for (int start = 0; start < n; start += chunk) {
                int len = Math.min(chunk, n - start);
                try (Tensor part = labels.slice(start, len);
                     Tensor drawn = model.sample(part, rng.split(start / chunk), allocator)) {
                    if (out == null) {
                        long[] shape = drawn.shape();
                        shape[0] = n;
                        out = Tensor.allocate(allocator, drawn.dtype(), shape);
                    }
                    long rowBytes = drawn.rowSize() * drawn.dtype().bytes();
                    out.buffer().setBytes(start * rowBytes, drawn.buffer(), 0, len * rowBytes);
                }
            }
            return out;
        } catch (RuntimeException e) {
            if (out != null) {
                out.close();
            }
            throw e;
        }
    }
}
