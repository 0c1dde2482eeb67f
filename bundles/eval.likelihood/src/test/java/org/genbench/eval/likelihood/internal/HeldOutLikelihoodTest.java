package org.genbench.eval.likelihood.internal;

import org.genbench.api.InMemoryDataset;
import org.genbench.testing.TestRunContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.LogDensity;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeldOutLikelihoodTest {
    private static final DataInfo CONTINUOUS_3D = new DataInfo("test/normal", new long[] {3}, DataInfo.CONTINUOUS, 0, null);
    private static final DataInfo BYTES_4D = new DataInfo("test/bytes", new long[] {4}, DataInfo.DISCRETE, 0, null);

    private BufferAllocator allocator;
    private final HeldOutLikelihood loglik = new HeldOutLikelihood();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails if a batch view or a model output leaked
    }

    /** n x 3 float32 points from N(0.3, 1.5^2). */
    private Tensor normalData(int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 3);
        for (long i = 0; i < x.size(); i++) {
            x.setDouble(i, 0.3 + 1.5 * rng.nextGaussian());
        }
        return x;
    }

    /** n x 4 pixel values 0..255 in the given type. */
    private Tensor byteData(int n, DType type, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.allocate(allocator, type, n, 4);
        for (long i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextInt(256));
        }
        return x;
    }

    private static double[][] rows(Tensor x) {
        double[] v = x.toDoubleArray();
        int d = (int) x.rowSize();
        double[][] out = new double[(int) x.rows()][d];
        for (int i = 0; i < out.length; i++) {
            System.arraycopy(v, i * d, out[i], 0, d);
        }
        return out;
    }

    private static Map<String, Metric> byName(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    private Map<String, Metric> evaluate(Model model, Dataset data, HeldOutLikelihood.Config config, long seed) {
        return byName(loglik.evaluate(model, data, Map.of(), config, new TestRunContext(seed, allocator)));
    }

    @Test
    void exactMeanStandardErrorAndBitsPerDimMatchTheHandComputedValues() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(1000, 1))) {
            double[][] x = rows(data.split("test").x());
            double sum = 0;
            for (double[] row : x) {
                sum += TestModels.standardNormalLogPdf(row);
            }
            double mean = sum / x.length;
            double ss = 0;
            for (double[] row : x) {
                double dev = TestModels.standardNormalLogPdf(row) - mean;
                ss += dev * dev;
            }
            double se = Math.sqrt(ss / (x.length - 1) / x.length);

            TestModels.StandardNormal model = new TestModels.StandardNormal(CONTINUOUS_3D);
            TestRunContext context = new TestRunContext(2, allocator);
            Map<String, Metric> m = byName(loglik.evaluate(model, data, Map.of(),
                    new HeldOutLikelihood.Config(null, null, 128), context));

            assertEquals(Set.of("test_loglik", "test_loglik_se", "test_bits_per_dim"), m.keySet());
            assertEquals(mean, m.get("test_loglik").value(), 1e-12);
            assertEquals(se, m.get("test_loglik_se").value(), 1e-12);
            assertEquals(-mean / (3 * Math.log(2)), m.get("test_bits_per_dim").value(), 1e-12);
            // Sanity of the reference itself: E log N(x; 0, I) for x ~ N(0.3, 1.5^2) per dimension.
            double expected = 3 * (-0.5 * Math.log(2 * Math.PI) - 0.5 * (1.5 * 1.5 + 0.3 * 0.3));
            assertEquals(expected, mean, 5 * se);
            for (Metric metric : m.values()) {
                assertEquals("exact", metric.kind());
                assertEquals(Map.of("split", "test", "n", 1000L, "dimensions", 3L, "dequantization", "none",
                        "estimator", "logDensity"), metric.protocol());
            }
            assertEquals(128, model.largestBatch);
            assertEquals(8, model.calls, "1000 rows in batches of 128");
            assertEquals(1000, model.rowsSeen);
            assertEquals(1000, context.lastDone);
            assertEquals(1000, context.lastTotal);
        }
    }

    @Test
    void batchSizeDoesNotChangeTheResult() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(333, 3))) {
            double reference = evaluate(new TestModels.StandardNormal(CONTINUOUS_3D), data,
                    new HeldOutLikelihood.Config(null, null, null), 4).get("test_loglik").value();
            for (int batchSize : new int[] {1, 7, 332, 333}) {
                double value = evaluate(new TestModels.StandardNormal(CONTINUOUS_3D), data,
                        new HeldOutLikelihood.Config(null, null, batchSize), 4).get("test_loglik").value();
                assertEquals(reference, value, 1e-12, "batchSize " + batchSize);
            }
        }
    }

    @Test
    void modelWithOnlyABoundIsReportedAsABoundUnderItsName() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(200, 5))) {
            double sum = 0;
            for (double[] row : rows(data.split("test").x())) {
                sum += TestModels.standardNormalLogPdf(row);
            }
            TestModels.GappedBound model = new TestModels.GappedBound(CONTINUOUS_3D);
            Map<String, Metric> m = evaluate(model, data, new HeldOutLikelihood.Config(null, null, 64), 6);
            assertEquals(sum / 200 - 0.5, m.get("test_loglik").value(), 1e-12);
            for (Metric metric : m.values()) {
                assertEquals("bound", metric.kind());
                assertEquals("elbo-test", metric.protocol().get("estimator"));
            }
            assertNotNull(model.lastRng, "a bound gets the evaluator's random stream");
        }
    }

    @Test
    void exactDensityIsPreferredOverABound() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(50, 7))) {
            Map<String, Metric> m = evaluate(new TestModels.Both(CONTINUOUS_3D), data,
                    new HeldOutLikelihood.Config(null, null, null), 8);
            assertEquals("exact", m.get("test_loglik").kind());
        }
    }

    @Test
    void bytesAreDequantizedAutomaticallyAndCostEightBitsUnderAUniformDensity() {
        for (DType type : new DType[] {DType.UINT8, DType.FLOAT32}) {
            try (InMemoryDataset data = TestDataset.of(BYTES_4D, "test", byteData(300, type, 9))) {
                Map<String, Metric> m = evaluate(new TestModels.UnitCube(BYTES_4D), data,
                        new HeldOutLikelihood.Config(null, null, 100), 10);
                // log p(x') = 0 on the unit cube, so only the change of variables remains: -D ln 256.
                assertEquals(-4 * Math.log(256), m.get("test_loglik").value(), 1e-12, type.name());
                assertEquals(8.0, m.get("test_bits_per_dim").value(), 1e-12, type.name());
                assertEquals(0.0, m.get("test_loglik_se").value(), 1e-12);
                assertTrue(((String) m.get("test_loglik").protocol().get("dequantization")).startsWith("uniform"));
            }
        }
    }

    @Test
    void dequantizedInputsFallInTheirBinsAndTheResultIsTheirMeanLogDensity() {
        try (InMemoryDataset data = TestDataset.of(BYTES_4D, "test", byteData(500, DType.UINT8, 11))) {
            double[][] pixels = rows(data.split("test").x());
            TestModels.Beta21 model = new TestModels.Beta21(BYTES_4D);
            Map<String, Metric> m = evaluate(model, data, new HeldOutLikelihood.Config(null, null, 128), 12);
            assertEquals(500, model.inputs.size());
            double sum = 0;
            for (int i = 0; i < 500; i++) {
                double[] seen = model.inputs.get(i);
                for (int j = 0; j < 4; j++) {
                    assertTrue(seen[j] >= pixels[i][j] / 256 && seen[j] < (pixels[i][j] + 1) / 256,
                            "x'=" + seen[j] + " is outside the bin of pixel " + pixels[i][j]);
                }
                for (double v : seen) {
                    sum += Math.log(2 * v);
                }
            }
            assertEquals(sum / 500 - 4 * Math.log(256), m.get("test_loglik").value(), 1e-12);
            assertEquals(-m.get("test_loglik").value() / (4 * Math.log(2)), m.get("test_bits_per_dim").value(), 1e-12);

            double again = evaluate(new TestModels.Beta21(BYTES_4D), data,
                    new HeldOutLikelihood.Config(null, null, 7), 12).get("test_loglik").value();
            assertEquals(m.get("test_loglik").value(), again, 1e-12, "same seed, same noise, whatever the batch size");
            double otherSeed = evaluate(new TestModels.Beta21(BYTES_4D), data,
                    new HeldOutLikelihood.Config(null, null, 128), 13).get("test_loglik").value();
            assertNotEquals(m.get("test_loglik").value(), otherSeed);
        }
    }

    @Test
    void continuousDataIsNotDequantizedUnlessAsked() {
        DataInfo integerValuedContinuous = new DataInfo("test/ints", new long[] {4}, DataInfo.CONTINUOUS, 0, null);
        try (InMemoryDataset data = TestDataset.of(integerValuedContinuous, "test", byteData(20, DType.FLOAT32, 14))) {
            Map<String, Metric> auto = evaluate(new TestModels.UnitCube(integerValuedContinuous), data,
                    new HeldOutLikelihood.Config(null, null, null), 15);
            assertEquals("none", auto.get("test_loglik").protocol().get("dequantization"));
            assertEquals(Double.NEGATIVE_INFINITY, auto.get("test_loglik").value(), "raw pixels lie outside the cube");
            Map<String, Metric> forced = evaluate(new TestModels.UnitCube(integerValuedContinuous), data,
                    new HeldOutLikelihood.Config(null, true, null), 15);
            assertEquals(8.0, forced.get("test_bits_per_dim").value(), 1e-12);
        }
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(20, 16))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluate(
                    new TestModels.StandardNormal(CONTINUOUS_3D), data, new HeldOutLikelihood.Config(null, true, null), 17));
            assertTrue(e.getMessage().contains("0..255"), e.getMessage());
        }
    }

    @Test
    void discreteDataOutsideTheByteRangeIsNotDequantized() {
        DataInfo tokens = new DataInfo("test/tokens", new long[] {3}, DataInfo.DISCRETE, 0, null);
        Tensor x = Tensor.ofDoubles(allocator, new double[] {0, 1, 300, 2, 3, 4}, 2, 3);
        try (InMemoryDataset data = TestDataset.of(tokens, "test", x)) {
            Map<String, Metric> m = evaluate(new TestModels.StandardNormal(tokens), data,
                    new HeldOutLikelihood.Config(null, null, null), 18);
            assertEquals("none", m.get("test_loglik").protocol().get("dequantization"));
        }
        try (InMemoryDataset data = TestDataset.of(BYTES_4D, "test", byteData(10, DType.UINT8, 19))) {
            Map<String, Metric> off = evaluate(new TestModels.StandardNormal(BYTES_4D), data,
                    new HeldOutLikelihood.Config(null, false, null), 20);
            assertEquals("none", off.get("test_loglik").protocol().get("dequantization"));
        }
    }

    @Test
    void otherSplitsAreNamedInTheMetricsAndUnknownSplitsFail() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "train", normalData(10, 21))) {
            Map<String, Metric> m = evaluate(new TestModels.StandardNormal(CONTINUOUS_3D), data,
                    new HeldOutLikelihood.Config("train", null, null), 22);
            assertEquals(Set.of("train_loglik", "train_loglik_se", "train_bits_per_dim"), m.keySet());
            assertEquals("train", m.get("train_loglik").protocol().get("split"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluate(
                    new TestModels.StandardNormal(CONTINUOUS_3D), data, new HeldOutLikelihood.Config(null, null, null), 22));
            assertTrue(e.getMessage().contains("[train]"), e.getMessage());
        }
    }

    @Test
    void aNaNLogDensityFailsNamingTheExample() {
        Model broken = new TestModels.StandardNormal(CONTINUOUS_3D) {
            @Override
            double logPdf(double[] row) {
                return rowsSeen > 5 ? Double.NaN : super.logPdf(row);
            }
        };
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(10, 25))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> evaluate(broken, data, new HeldOutLikelihood.Config(null, null, 5), 26));
            assertTrue(e.getMessage().contains("NaN for example 5"), e.getMessage());
        }
    }

    @Test
    void cancellationStopsBetweenBatches() {
        try (InMemoryDataset data = TestDataset.of(CONTINUOUS_3D, "test", normalData(10, 23))) {
            TestRunContext context = new TestRunContext(24, allocator);
            context.cancelled = true;
            assertThrows(CancellationException.class, () -> loglik.evaluate(new TestModels.StandardNormal(CONTINUOUS_3D),
                    data, Map.of(), new HeldOutLikelihood.Config(null, null, 4), context));
        }
    }

    @Test
    void requirementAndConfigValidation() {
        assertEquals("Energy or LogDensity or LogDensityBound", loglik.requires().describe());
        assertTrue(loglik.requires().isSatisfiedBy(Set.of(LogDensityBound.class)));
        assertTrue(loglik.requires().isSatisfiedBy(Set.of(LogDensity.class)));
        HeldOutLikelihood.Config c = new HeldOutLikelihood.Config(null, null, null);
        assertEquals("test", c.split());
        assertEquals(null, c.dequantize());
        assertEquals(4096, c.batchSize());
        assertEquals("batchSize must be in 1..1000000, was 0",
                assertThrows(IllegalArgumentException.class, () -> new HeldOutLikelihood.Config(null, null, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HeldOutLikelihood.Config(" ", null, null));
        assertEquals("loglik", loglik.name());
        assertEquals(HeldOutLikelihood.Config.class, loglik.configType());
    }
}
