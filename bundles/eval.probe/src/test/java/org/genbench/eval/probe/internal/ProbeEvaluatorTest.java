package org.genbench.eval.probe.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Representation;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two classes that are XOR of two coordinates' signs: no linear probe on the raw coordinates beats chance by much.
 * A representation holding the product of the coordinates makes the classes linearly separable; one holding noise
 * does not.
 */
class ProbeEvaluatorTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static final DataInfo INFO = new DataInfo("xor", new long[] {2}, DataInfo.CONTINUOUS, 2, "x");

    /** "product": x0 * x1 and x0; "noise": two Gaussians unrelated to x. */
    static final class Features implements Model, Representation {
        @Override
        public DataInfo data() {
            return INFO;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public Map<String, Integer> representations() {
            Map<String, Integer> m = new LinkedHashMap<>();
            m.put("product", 2);
            m.put("noise", 2);
            return m;
        }

        @Override
        public Tensor represent(String name, Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT32, x.rows(), 2);
            Rng rng = new Rng(x.rows());
            for (int i = 0; i < x.rows(); i++) {
                double a = x.get(i, 0);
                double b = x.get(i, 1);
                out.setDouble(2L * i, name.equals("product") ? a * b : rng.nextGaussian());
                out.setDouble(2L * i + 1, name.equals("product") ? a : rng.nextGaussian());
            }
            return out;
        }
    }

    private Batch xor(int n, Rng rng) {
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        Tensor y = Tensor.allocate(allocator, DType.INT32, n);
        for (int i = 0; i < n; i++) {
            double a = 2 * rng.nextDouble() - 1;
            double b = 2 * rng.nextDouble() - 1;
            x.setDouble(2L * i, a);
            x.setDouble(2L * i + 1, b);
            y.setDouble(i, (a > 0) ^ (b > 0) ? 1 : 0);
        }
        return Batch.of(x, y);
    }

    @Test
    void aRepresentationThatLinearizesTheClassesBeatsRawInputsAndNoiseDoesNot() {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", xor(2000, new Rng(1)));
        splits.put("test", xor(1000, new Rng(2)));
        try (InMemoryDataset data = new InMemoryDataset(INFO, splits)) {
            ProbeEvaluator.Config config = new ProbeEvaluator.Config(null, null, null, 30, 64, 1e-2, null);
            var metrics = new ProbeEvaluator().evaluate(new Features(), data, Map.of(), config,
                    new TestRunContext(1, allocator));
            Map<String, Double> v = metrics.stream().collect(Collectors.toMap(Metric::name, Metric::value));
            assertTrue(v.get("probe_accuracy/product") > 0.95, v.toString());
            assertTrue(v.get("probe_accuracy/raw") < 0.65, v.toString());
            assertEquals(0.5, v.get("probe_accuracy/noise"), 0.06, v.toString());
            assertEquals(v.get("probe_accuracy/product") - v.get("probe_accuracy/raw"),
                    v.get("probe_gain_over_raw/product"), 1e-12);
            Metric m = metrics.stream().filter(x -> x.name().equals("probe_accuracy/product")).findFirst().orElseThrow();
            assertEquals(2000, m.protocol().get("n_train"));
            assertEquals(2, m.protocol().get("dimension"));
        }
    }

    @Test
    void settingsAreCheckedByName() {
        assertEquals("train must be in 10..1000000, was 5", assertThrows(IllegalArgumentException.class,
                () -> new ProbeEvaluator.Config(5, null, null, null, null, null, null)).getMessage());
        assertEquals("weightDecay must be finite and >= 0, was -1.0", assertThrows(IllegalArgumentException.class,
                () -> new ProbeEvaluator.Config(null, null, null, null, null, null, -1.0)).getMessage());
    }
}
