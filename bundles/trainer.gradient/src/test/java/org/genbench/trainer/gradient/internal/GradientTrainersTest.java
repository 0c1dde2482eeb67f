package org.genbench.trainer.gradient.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientTrainersTest {
    BufferAllocator allocator;
    Dataset data;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
        Rng rng = new Rng(5);
        Batch train = Batch.of(points(230, rng));
        Batch test = Batch.of(points(40, rng));
        data = new Dataset() {
            public DataInfo info() {
                return new DataInfo("points", new long[] {3}, DataInfo.CONTINUOUS, 0, null);
            }

            public List<String> splits() {
                return List.of("train", "test");
            }

            public Batch split(String name) {
                return name.equals("train") ? train : test;
            }

            public void close() {
                train.close();
                test.close();
            }
        };
    }

    /** Points around (1, -2, 3), each row numbered in its last... first coordinate's fraction to tell rows apart. */
    Tensor points(int n, Rng rng) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT64, n, 3);
        double[] centre = {1, -2, 3};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                t.setDouble(i * 3L + j, centre[j] + 0.5 * rng.nextGaussian());
            }
        }
        return t;
    }

    @AfterEach
    void tearDown() {
        data.close();
        allocator.close();
    }

    static VariationalTrainer.Config config(int steps, int warmup, int every, Integer perInvocation) {
        return new VariationalTrainer.Config(steps, 50, 0.05, null, null, null, warmup, null, null, every, perInvocation, 40, false);
    }

    static Map<String, Double> values(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Metric::value));
    }

    @Test
    void fitsWithWarmUpAndReportsTheBoundBeforeAndAfter() throws Exception {
        FakeVariationalModel model = new FakeVariationalModel(3);
        TestRunContext ctx = new TestRunContext(1, allocator);
        Map<String, Double> m = values(new VariationalTrainer().train(model, data, config(200, 40, 0, null), ctx));
        assertEquals(200, model.stepsTaken());
        // The KL weight rises linearly: step s (0-based) gets min(1, (s + 1) / 40).
        assertEquals(1 / 40.0, model.weights.get(0), 1e-15);
        assertEquals(20 / 40.0, model.weights.get(19), 1e-15);
        assertEquals(1.0, model.weights.get(39), 1e-15);
        assertEquals(1.0, model.weights.get(199), 1e-15);
        // theta minimizes 1/2 |mean - theta|^2 + 1/2 |theta|^2: half the data mean, (0.5, -1, 1.5).
        assertArrayEquals(new double[] {0.5, -1, 1.5}, model.theta, 0.1);
        assertTrue(m.get("test_bound") > m.get("test_bound_initial") + 3, m.toString());
        assertEquals(200.0, m.get("steps"));
        assertEquals(List.of(0L), ctx.steps.subList(0, 1), "the initial bound is logged at step 0");
        assertEquals(202, ctx.steps.size(), "step 0, each of 200 steps, and the final bound");
        assertEquals(200, ctx.lastDone);
    }

    @Test
    void everyEpochVisitsEachRowOnceInAFreshOrder() throws Exception {
        FakeVariationalModel model = new FakeVariationalModel(3);
        new VariationalTrainer().train(model, data, config(8, 0, 0, null), new TestRunContext(2, allocator));
        // 230 rows, batches of 50: 4 per epoch (the last 30 rows wait for the next shuffle).
        int[] order0 = GradientLoop.permutation(230, new Rng(2).split("shuffle").split(0));
        int[] order1 = GradientLoop.permutation(230, new Rng(2).split("shuffle").split(1));
        Tensor x = data.split("train").x();
        assertEquals(x.get(order0[0], 0), model.firstValues.get(0));
        assertEquals(x.get(order0[150], 0), model.firstValues.get(3));
        assertEquals(x.get(order1[0], 0), model.firstValues.get(4));
        assertEquals(230, java.util.Arrays.stream(order0).distinct().count());
    }

    @Test
    void aRunStoppedAfterACheckpointResumesToTheNumbersOfAnUninterruptedRun() throws Exception {
        FakeVariationalModel whole = new FakeVariationalModel(3);
        TestRunContext wholeCtx = new TestRunContext(3, allocator);
        Map<String, Double> expected = values(new VariationalTrainer().train(whole, data, config(120, 30, 25, null), wholeCtx));

        FakeVariationalModel first = new FakeVariationalModel(3);
        TestRunContext firstCtx = new TestRunContext(3, allocator);
        IllegalStateException stop = assertThrows(IllegalStateException.class,
                () -> new VariationalTrainer().train(first, data, config(120, 30, 25, 60), firstCtx));
        assertTrue(stop.getMessage().contains("at step 60 of 120") && stop.getMessage().contains("resume"), stop.getMessage());

        FakeVariationalModel resumed = new FakeVariationalModel(3);
        TestRunContext resumedCtx = TestRunContext.resumeFrom(firstCtx, allocator);
        Map<String, Double> got = values(new VariationalTrainer().train(resumed, data, config(120, 30, 25, 60), resumedCtx));
        assertEquals(expected, got, "final metrics, bit for bit");
        assertArrayEquals(whole.theta, resumed.theta, 0.0);
        assertEquals(61L, resumedCtx.steps.get(0), "continues after the checkpoint of step 60");
        List<Map<String, Double>> tail = wholeCtx.logged.subList(wholeCtx.logged.size() - resumedCtx.logged.size(),
                wholeCtx.logged.size());
        assertEquals(tail, resumedCtx.logged, "every logged step after the resume");
    }

    @Test
    void cancellingCheckpointsAndSaysSo() throws Exception {
        FakeVariationalModel model = new FakeVariationalModel(3);
        TestRunContext ctx = new TestRunContext(4, allocator).cancelAfterChecks(10);
        var e = assertThrows(java.util.concurrent.CancellationException.class,
                () -> new VariationalTrainer().train(model, data, config(100, 0, 0, null), ctx));
        assertTrue(e.getMessage().contains("cancelled at step 10"), e.getMessage());
        FakeVariationalModel resumed = new FakeVariationalModel(3);
        new VariationalTrainer().train(resumed, data, config(100, 0, 0, null), TestRunContext.resumeFrom(ctx, allocator));
        FakeVariationalModel whole = new FakeVariationalModel(3);
        new VariationalTrainer().train(whole, data, config(100, 0, 0, null), new TestRunContext(4, allocator));
        assertArrayEquals(whole.theta, resumed.theta, 0.0);
        assertTrue(Files.isDirectory(ctx.outputDirectory()));
    }

    @Test
    void theGradientTrainerPassesItsScheduleClippingAndWeightDecayToEachStep() throws Exception {
        FakeVariationalModel model = new FakeVariationalModel(3);
        GradientTrainer.Config c = new GradientTrainer.Config(100, 50, 0.04, null, null, null, 0.01, 2.5, "cosine", 10,
                null, 0, null, 40, false);
        new GradientTrainer().train(model, data, c, new TestRunContext(6, allocator));
        assertEquals(100, model.settings.size());
        // cosine with a 10-step warm-up: step k (from 0) gets 0.04 (k + 1)/10 below 10, then 0.02 (1 + cos(pi (k-10)/90))
        assertEquals(0.004, model.settings.get(0).adam().learningRate(), 1e-15);
        assertEquals(0.04, model.settings.get(9).adam().learningRate(), 1e-15);
        assertEquals(0.04, model.settings.get(10).adam().learningRate(), 1e-15);
        assertEquals(0.02 * (1 + Math.cos(Math.PI * 45 / 90)), model.settings.get(55).adam().learningRate(), 1e-15);
        assertEquals(0.01, model.settings.get(99).weightDecay());
        assertEquals(2.5, model.settings.get(99).clipNorm());
        assertEquals(1.0, model.settings.get(0).regularizerWeight(), "no regularizer warm-up by default");
    }

    /** A model with an exact density is scored by it (kind exact), not by a bound. */
    @Test
    void anExactDensityIsTheHeldOutScoreWhenTheModelHasOne() throws Exception {
        FakeVariationalModel inner = new FakeVariationalModel(3);
        class Exact implements org.genbench.api.Model, org.genbench.api.GradientTrainable, org.genbench.api.LogDensity {
            public DataInfo data() {
                return inner.data();
            }

            public long parameterCount() {
                return inner.parameterCount();
            }

            public Map<String, Double> trainStep(Batch b, Step s, Rng r) {
                return inner.trainStep(b, s, r);
            }

            public long stepsTaken() {
                return inner.stepsTaken();
            }

            public Tensor logDensity(Tensor x) {
                return inner.logDensityBound(x, new Rng(0));
            }
        }
        List<Metric> metrics = new GradientTrainer().train(new Exact(), data, new GradientTrainer.Config(60, 50, 0.05,
                null, null, null, null, null, null, null, null, 0, null, 40, false), new TestRunContext(7, allocator));
        Map<String, Metric> byName = metrics.stream().collect(Collectors.toMap(Metric::name, m -> m));
        assertEquals("exact", byName.get("test_loglik").kind());
        assertTrue(byName.get("test_loglik").value() > byName.get("test_loglik_initial").value() + 3, byName.toString());
        assertTrue(!byName.containsKey("test_bound"), byName.keySet().toString());
    }

    @Test
    void badSettingsNameTheFieldAndRange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GradientTrainer.Config(null, null, null,
                null, null, null, null, null, "exponential", null, null, null, null, null, null)).getMessage()
                .contains("schedule must be constant, warmup, cosine or linear"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GradientTrainer.Config(100, null, null,
                null, null, null, null, null, "cosine", 100, null, null, null, null, null)).getMessage()
                .contains("lrWarmup must be < steps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VariationalTrainer.Config(0, null, null,
                null, null, null, null, null, null, null, null, null, null)).getMessage().contains("steps must be in 1..1000000000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VariationalTrainer.Config(null, null, -1.0,
                null, null, null, null, null, null, null, null, null, null)).getMessage().contains("learningRate must be"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VariationalTrainer.Config(null, null, null,
                null, null, null, -1, null, null, null, null, null, null)).getMessage().contains("warmupSteps must be >= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VariationalTrainer.Config(null, null, null,
                null, null, null, null, null, null, null, 0, null, null)).getMessage().contains("stepsPerInvocation must be >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VariationalTrainer.Config(null, null, null,
                null, null, null, null, null, -1.0, null, null, null, null)).getMessage().contains("clipNorm must be"));
    }
}
