package org.genbench.eval.probe.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import org.genbench.api.Autoencoding;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Representation;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.vision.Classifier;
import org.genbench.vision.Vectors;
import org.osgi.service.component.annotations.Component;

/**
 * Are a model's representations useful? A linear probe (multinomial logistic regression on standardized features,
 * Alain and Bengio 2016) is trained on each representation of the training split's first examples and tested on the
 * test split; the same probe with the same budget on the raw inputs is the baseline. A representation that makes
 * the classes linearly separable scores above raw pixels; a model whose latents ignore what tells the classes apart
 * scores below. Representations: what the model offers as {@link Representation} (a VAE's posterior mean and encoder
 * hidden layer, a GAN discriminator's hidden layer), or an unconditional {@link Autoencoding} model's code.
 */
@Component(service = Evaluator.class)
public final class ProbeEvaluator implements Evaluator<ProbeEvaluator.Config> {
    static final String RAW = "raw";
    static final String CODE = "code";

    /**
     * @param train        training examples for the probe (the split's first), 10..1000000 (default 10000)
     * @param test         test examples (the split's first), 10..1000000 (default 10000)
     * @param split        the test split (default {@code test})
     * @param epochs       the probe's epochs, 1..1000 (default 20)
     * @param batchSize    (default 128)
     * @param learningRate Adam's (default 1e-3)
     * @param weightDecay  decoupled weight decay, >= 0 (default 0)
     */
    public record Config(Integer train, Integer test, String split, Integer epochs, Integer batchSize,
                         Double learningRate, Double weightDecay) {
        public Config {
            train = train == null ? 10_000 : train;
            if (train < 10 || train > 1_000_000) {
                throw new IllegalArgumentException("train must be in 10..1000000, was " + train);
            }
            test = test == null ? 10_000 : test;
            if (test < 10 || test > 1_000_000) {
                throw new IllegalArgumentException("test must be in 10..1000000, was " + test);
            }
            split = split == null ? "test" : split;
            epochs = epochs == null ? 20 : epochs;
            if (epochs < 1 || epochs > 1000) {
                throw new IllegalArgumentException("epochs must be in 1..1000, was " + epochs);
            }
            batchSize = batchSize == null ? 128 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            weightDecay = weightDecay == null ? 0.0 : weightDecay;
            recipe(epochs, batchSize, learningRate, weightDecay);
        }

        Classifier.Recipe recipe() {
            return recipe(epochs, batchSize, learningRate, weightDecay);
        }

        private static Classifier.Recipe recipe(int epochs, int batchSize, double learningRate, double weightDecay) {
            return new Classifier.Recipe(List.of(), epochs, batchSize, learningRate, weightDecay,
                    Classifier.INPUTS_STANDARDIZE);
        }
    }

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String description() {
        return "Representations: linear-probe accuracy on a model's latents or hidden units vs raw inputs";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.anyOf(Representation.class, Autoencoding.class);
    }

    /** The model's representations by name, each as a function of the input rows. */
    static Map<String, Function<Tensor, Tensor>> representations(Model model) {
        Map<String, Function<Tensor, Tensor>> out = new LinkedHashMap<>();
        Representation r = model.as(Representation.class).orElse(null);
        if (r != null) {
            for (String name : r.representations().keySet()) {
                out.put(name, x -> r.represent(name, x));
            }
        }
        Autoencoding a = model.as(Autoencoding.class).orElse(null);
        if (out.isEmpty() && a != null && model.as(Conditional.class).isEmpty()) {
            out.put(CODE, x -> a.encode(x, null));
        }
        return out;
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        DataInfo info = data.info();
        int classes = info.numClasses();
        if (classes < 2) {
            throw new IllegalArgumentException("probe needs a labelled dataset; '" + info.name() + "' has no classes");
        }
        Map<String, Function<Tensor, Tensor>> reps = representations(model);
        if (reps.isEmpty()) {
            throw new IllegalArgumentException("the model offers no representation of unlabelled inputs (a conditional"
                    + " model's codes need the label)");
        }
        Batch train = data.split("train");
        Batch test = data.split(config.split());
        int nTrain = (int) Math.min(config.train(), train.size());
        int nTest = (int) Math.min(config.test(), test.size());
        int[] yTrain = Arrays.copyOf(Vectors.labels(train.label().orElseThrow(), classes), nTrain);
        int[] yTest = Arrays.copyOf(Vectors.labels(test.label().orElseThrow(() ->
                new IllegalArgumentException("probe needs labels in split '" + config.split() + "'")), classes), nTest);
        Classifier.Recipe recipe = config.recipe();
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("probe", recipe.describe());
        protocol.put("n_train", nTrain);
        protocol.put("n_test", nTest);
        protocol.put("test_split", config.split());
        protocol.put("same_seed", "every probe's initialization and order come from the same stream");
        Rng rng = context.rng().split("probe");
        List<Metric> metrics = new ArrayList<>();
        int total = reps.size() + 1;
        int done = 0;
        double raw;
        try (Tensor xTrain = train.x().slice(0, nTrain); Tensor xTest = test.x().slice(0, nTest)) {
            raw = probe(Vectors.floats(xTrain), yTrain, Vectors.floats(xTest), yTest, (int) xTrain.rowSize(),
                    classes, recipe, rng);
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("representation", RAW);
            p.put("dimension", xTrain.rowSize());
            metrics.add(new Metric("probe_accuracy/" + RAW, raw, "probe", p));
            context.progress(++done, total);
            for (Map.Entry<String, Function<Tensor, Tensor>> e : reps.entrySet()) {
                if (context.isCancelled()) {
                    throw new CancellationException("probe cancelled before '" + e.getKey() + "'");
                }
                float[] fTrain;
                float[] fTest;
                int dim;
                try (Tensor a = e.getValue().apply(xTrain); Tensor b = e.getValue().apply(xTest)) {
                    fTrain = Vectors.floats(a);
                    fTest = Vectors.floats(b);
                    dim = (int) a.rowSize();
                }
                double acc = probe(fTrain, yTrain, fTest, yTest, dim, classes, recipe, rng);
                Map<String, Object> p2 = new LinkedHashMap<>(protocol);
                p2.put("representation", e.getKey());
                p2.put("dimension", dim);
                metrics.add(new Metric("probe_accuracy/" + e.getKey(), acc, "probe", p2));
                metrics.add(new Metric("probe_gain_over_raw/" + e.getKey(), acc - raw, "probe", p2));
                context.progress(++done, total);
            }
        }
        return metrics;
    }

    private static double probe(float[] xTrain, int[] yTrain, float[] xTest, int[] yTest, int d, int classes,
                                Classifier.Recipe recipe, Rng rng) {
        return Classifier.train(xTrain, yTrain, d, classes, recipe, rng).accuracy(xTest, yTest);
    }
}
