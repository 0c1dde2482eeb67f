package org.genbench.eval.bias.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three well-separated 2-D classes; "models" that draw them in known proportions. */
class BiasEvaluatorTest {
    static final double[][] MEANS = {{0, 0}, {6, 0}, {0, 6}};
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static DataInfo info() {
        return new DataInfo("blobs", new long[] {2}, DataInfo.CONTINUOUS, 3, "x");
    }

    /** n points whose classes follow {@code shares} exactly (in a shuffled order), with or without labels. */
    private Batch points(int n, double[] shares, Rng rng, boolean labelled) {
        int[] y = new int[n];
        int k = 0;
        for (int c = 0; c < 3; c++) {
            int count = c == 2 ? n - k : (int) Math.round(n * shares[c]);
            for (int j = 0; j < count; j++) {
                y[k++] = c;
            }
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = y[i];
            y[i] = y[j];
            y[j] = tmp;
        }
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        Tensor labels = Tensor.allocate(allocator, DType.INT32, n);
        for (int i = 0; i < n; i++) {
            x.setDouble(2L * i, MEANS[y[i]][0] + rng.nextGaussian());
            x.setDouble(2L * i + 1, MEANS[y[i]][1] + rng.nextGaussian());
            labels.setDouble(i, y[i]);
        }
        if (!labelled) {
            labels.close();
            return Batch.of(x);
        }
        return Batch.of(x, labels);
    }

    private Map<String, Double> evaluate(double[] trainShares, Map<String, double[]> sampleShares, Model model) {
        return metrics(trainShares, sampleShares, model).stream()
                .collect(Collectors.toMap(Metric::name, Metric::value, (a, b) -> a, LinkedHashMap::new));
    }

    private List<Metric> metrics(double[] trainShares, Map<String, double[]> sampleShares, Model model) {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", points(3000, trainShares, new Rng(1), true));
        splits.put("test", points(3000, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, new Rng(2), true));
        Map<String, SampleResult> samples = new LinkedHashMap<>();
        int seed = 10;
        for (Map.Entry<String, double[]> e : sampleShares.entrySet()) {
            samples.put(e.getKey(), new SampleResult(points(4000, e.getValue(), new Rng(seed++), false).x(), 1, List.of()));
        }
        try (InMemoryDataset data = new InMemoryDataset(info(), splits)) {
            BiasEvaluator.Config config = new BiasEvaluator.Config(null, 300, null, List.of(16), 5, 64, 1e-2);
            return new BiasEvaluator().evaluate(model, data, samples, config, new TestRunContext(5, allocator));
        } finally {
            samples.values().forEach(SampleResult::close);
        }
    }

    @Test
    void samplesThatDropAClassShowItInTheRatioTvAndKl() {
        double[] even = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        Map<String, double[]> s = new LinkedHashMap<>();
        s.put("faithful", even);
        s.put("dropping", new double[] {0.5, 0.5, 0});
        List<Metric> metrics = metrics(even, s, null);
        Map<String, Double> v = metrics.stream()
                .collect(Collectors.toMap(Metric::name, Metric::value, (a, b) -> a, LinkedHashMap::new));
        assertTrue(v.get("labeller_test_accuracy") > 0.98, v.toString());
        assertEquals(0, v.get("faithful/tv_to_train"), 0.02);
        assertEquals(1, v.get("faithful/ratio/class=2"), 0.05);
        assertEquals(0, v.get("dropping/ratio/class=2"), 0.01);
        assertEquals(1.5, v.get("dropping/ratio/class=0"), 0.05);
        assertEquals(1 / 3.0, v.get("dropping/tv_to_train"), 0.02);
        // KL(p || q~) from the shares the labeller found, each count smoothed by +1/2: the (nearly) missing class
        // dominates it
        Metric klMetric = metrics.stream().filter(m -> m.name().equals("dropping/kl_train_to_samples")).findFirst()
                .orElseThrow();
        @SuppressWarnings("unchecked")
        List<Double> q = (List<Double>) klMetric.protocol().get("sample_shares");
        double kl = 0;
        for (int c = 0; c < 3; c++) {
            kl += 1 / 3.0 * Math.log((1 / 3.0) / ((q.get(c) * 4000 + 0.5) / 4001.5));
        }
        assertEquals(kl, klMetric.value(), 1e-12);
        assertTrue(kl > 1.5, "KL " + kl);
        assertFalse(v.containsKey("faithful/amplification"), "an unskewed training set has no amplification");
    }

    @Test
    void amplificationIsOneForAModelThatKeepsItsTrainingSkewAboveOneWhenItAmplifiesZeroWhenItUndoesIt() {
        double[] skew = {0.45, 0.45, 0.10};
        Map<String, double[]> s = new LinkedHashMap<>();
        s.put("keeps", skew);
        s.put("amplifies", new double[] {0.49, 0.49, 0.02});
        s.put("undoes", new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0});
        Map<String, Double> v = evaluate(skew, s, null);
        assertEquals(1.0, v.get("keeps/amplification"), 0.1);
        assertEquals((0.49 - 1 / 3.0) / (0.45 - 1 / 3.0), v.get("amplifies/amplification"), 0.1);
        assertEquals(0.0, v.get("undoes/amplification"), 0.1);
        assertEquals(2 * (0.45 - 1 / 3.0), v.get("train_skew_tv"), 0.02);
        // the labeller learned from a balanced resample: it labels the balanced test split without the training skew
        assertTrue(v.get("labeller_test_tv") < 0.02, v.toString());
    }

    /** A conditional generator that draws class map[c] when asked for c. */
    record Generator(int[] map) implements Model, Conditional {
        @Override
        public DataInfo data() {
            return info();
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public int numClasses() {
            return 3;
        }

        @Override
        public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
            Tensor t = Tensor.allocate(allocator, DType.FLOAT32, labels.rows(), 2);
            for (int i = 0; i < labels.rows(); i++) {
                int c = map[(int) labels.getDouble(i)];
                t.setDouble(2L * i, MEANS[c][0] + rng.nextGaussian());
                t.setDouble(2L * i + 1, MEANS[c][1] + rng.nextGaussian());
            }
            return t;
        }
    }

    @Test
    void aConditionalModelThatConfusesTwoClassesHasLowAccuracyOnThemAndOnlyThem() {
        double[] even = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        Map<String, Double> v = evaluate(even, Map.of(), new Generator(new int[] {0, 2, 1}));
        assertTrue(v.get("conditional_accuracy/class=0") > 0.97, v.toString());
        assertTrue(v.get("conditional_accuracy/class=1") < 0.03, v.toString());
        assertTrue(v.get("conditional_accuracy/class=2") < 0.03, v.toString());
        assertEquals(1 / 3.0, v.get("conditional_accuracy"), 0.03);
    }

    @Test
    void unlabelledDataAndBadSettingsAreRefusedByName() {
        assertEquals("perClass must be in 0..100000, was -1", assertThrows(IllegalArgumentException.class,
                () -> new BiasEvaluator.Config(null, -1, null, null, null, null, null)).getMessage());
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(Tensor.allocate(allocator, DType.FLOAT32, 4, 2)));
        splits.put("test", Batch.of(Tensor.allocate(allocator, DType.FLOAT32, 4, 2)));
        try (InMemoryDataset data = new InMemoryDataset(new DataInfo("toy/two-moons", new long[] {2},
                DataInfo.CONTINUOUS, 0, "x"), splits)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BiasEvaluator()
                    .evaluate(null, data, Map.of(), new BiasEvaluator.Config(null, null, null, null, null, null, null),
                            new TestRunContext(1, allocator)));
            assertTrue(e.getMessage().contains("labels true"), e.getMessage());
        }
    }

    /** The sampling noise the skew threshold is built on, against a simulation of pairs of samples. */
    @Test
    void theExpectedTvOfTwoSamplesFromOneDistributionMatchesASimulation() {
        double[] t = {0.5, 0.3, 0.15, 0.05};
        Rng rng = new Rng(8);
        double mean = 0;
        int trials = 2000;
        for (int trial = 0; trial < trials; trial++) {
            int[] a = draw(t, 400, rng);
            int[] b = draw(t, 900, rng);
            mean += ClassDistributions.totalVariation(ClassDistributions.shares(a, 4), ClassDistributions.shares(b, 4))
                    / trials;
        }
        assertEquals(mean, ClassDistributions.samplingTv(t, 400, 900), 0.05 * mean);
    }

    private static int[] draw(double[] t, int n, Rng rng) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int c = 0;
            for (double acc = t[0]; acc < u && c < t.length - 1; acc += t[++c]) {
            }
            y[i] = c;
        }
        return y;
    }
}
