package org.genbench.eval.distance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.ExactMixture;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SampleDistanceEvaluatorTest {
    BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    /** Against datasets/reference/energy_distance.py: scipy in 1-D, numpy's V-statistics in 2-D and 5-D. */
    @Test
    void matchesTheReference() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(getClass().getResourceAsStream("/energy_distance_reference.json"))
                .get("cases");
        for (JsonNode c : cases) {
            double[] x = doubles(c.get("x"));
            double[] y = doubles(c.get("y"));
            int d = c.get("d").asInt();
            assertEquals(c.get("value").asDouble(), Distances.energy(x, y, d), 1e-12, "energy, d = " + d);
            assertEquals(c.get("mmd").asDouble(), Distances.mmd(x, y, d, c.get("mmd_h").asDouble()), 1e-12, "mmd, d = " + d);
            assertEquals(c.get("median").asDouble(), Distances.medianDistance(x, d), 1e-12, "median, d = " + d);
        }
        assertEquals(0, Distances.energy(new double[] {1, 2, 3, 4}, new double[] {3, 4, 1, 2}, 2), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Distances.energy(new double[3], new double[4], 2));
    }

    static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    Tensor tensor(double[] xy) {
        Tensor t = Tensor.allocate(allocator, org.genbench.api.tensor.DType.FLOAT32, xy.length / 2, 2);
        for (int i = 0; i < xy.length; i++) {
            t.setDouble(i, xy[i]);
        }
        return t;
    }

    /** Exact draws score at the floor, a sampler that misses a mode far above it. */
    @Test
    void scoresSamplersAgainstTheFloor() throws Exception {
        ExactMixture m = ExactMixture.twoModes(new double[] {0.5}, new double[] {1, 0.5});
        DataInfo info = new DataInfo("two-modes", new long[] {2}, DataInfo.CONTINUOUS, 0, null);
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(tensor(m.draw(500, new Rng(1)))));
        splits.put("test", Batch.of(tensor(m.draw(500, new Rng(2)))));
        Map<String, SampleResult> samples = new LinkedHashMap<>();
        samples.put("good", new SampleResult(tensor(m.draw(500, new Rng(3))), 1, List.of()));
        samples.put("one-mode", new SampleResult(tensor(m.drawComponent(1, 500, new Rng(5))), 1, List.of()));
        TestRunContext ctx = new TestRunContext(1, allocator);
        try (InMemoryDataset data = new InMemoryDataset(info, splits)) {
            List<Metric> out = new SampleDistanceEvaluator().evaluate(m, data, samples,
                    new SampleDistanceEvaluator.Config(null, 400, null, null), ctx);
            Map<String, Double> v = new LinkedHashMap<>();
            out.forEach(x -> v.put(x.name(), x.value()));
            double floor = v.get("floor/energy_distance");
            assertTrue(v.get("good/energy_distance") < 2 * floor + 0.05, v.toString());
            assertTrue(v.get("one-mode/energy_distance") > 5 * floor, v.toString());
            double mmdFloor = v.get("floor/mmd");
            assertTrue(v.get("good/mmd") < 1.3 * mmdFloor, v.toString());
            assertTrue(v.get("one-mode/mmd") > 1.5 * mmdFloor, v.toString());
            assertEquals(400, out.get(0).protocol().get("n_real"));
        } finally {
            samples.values().forEach(SampleResult::close);
        }
    }
}
