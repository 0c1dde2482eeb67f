package org.genbench.trainer.cd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.LayerwiseTrainable;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.model.rbm.internal.DbnFamily;
import org.genbench.model.rbm.internal.RbmFamily;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContrastiveDivergenceTest {
    private static final int N = 400;
    private static final long[] SHAPE = {1, 6, 6};
    private static final int D = 36;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private static final DataInfo INFO = new DataInfo("patterns", SHAPE, DataInfo.BINARY, 0, null);

    private InMemoryDataset data() {
        double[] train = RbmTwinTest.patterns(N, D, new Rng(4));
        double[] test = RbmTwinTest.patterns(100, D, new Rng(4)); // the same prototypes, fresh noise after them
        return new InMemoryDataset(INFO, Map.of(
                "train", Batch.of(Tensor.of(allocator, DType.FLOAT32, train, N, 1, 6, 6)),
                "test", Batch.of(Tensor.of(allocator, DType.FLOAT32, test, 100, 1, 6, 6))));
    }

    private static Map<String, Metric> byName(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    private static CdTrainer.Config cd(int steps, int checkpointEvery) {
        return new CdTrainer.Config(steps, 20, 1, 0.05, "constant", 0.9, 0.5, 20, 1e-4, 10, 100, 100,
                checkpointEvery, true);
    }

    private Model rbm(long seed) {
        return new RbmFamily().create(new RbmFamily.Config(16, null, null, null, null), INFO, new Rng(seed));
    }

    @Test
    void trainingRaisesThePseudoLikelihoodAndLowersTheReconstructionError() throws Exception {
        Model model = rbm(1);
        try (InMemoryDataset data = data()) {
            double before;
            try (Tensor head = data.split("test").x().slice(0, 100)) {
                before = ContrastiveDivergence.pseudoLogLikelihood(model.as(Energy.class).orElseThrow(), head, allocator);
            }
            TestRunContext context = new TestRunContext(7, allocator);
            Map<String, Metric> m = byName(new CdTrainer().train(model, data, cd(300, 0), context));
            double after = m.get("test_pseudo_loglik").value();
            // An untrained RBM is near uniform: -36 ln 2 = -24.95 nats per example.
            assertEquals(-D * Math.log(2), before, 0.5);
            assertTrue(after < 0 && after > before + 10, "pseudo-log-likelihood " + before + " -> " + after);
            // Four prototypes with 10% flips: about 36 * H(0.1) = 11.7 nats is the best a model can do per example.
            assertTrue(after < -D * 0.325, "not better than the noise allows: " + after);
            double firstRecon = context.logged.get(0).get("train_recon_error");
            assertTrue(m.get("test_recon_error").value() < 0.6 * firstRecon,
                    firstRecon + " -> " + m.get("test_recon_error").value());
            assertEquals(300.0, m.get("steps").value());
            assertTrue(Files.isRegularFile(context.outputDirectory().resolve("filters.png")));
            assertTrue(context.logged.stream().anyMatch(l -> l.containsKey("test_pseudo_loglik")),
                    "evaluations logged along the way");
        }
    }

    @Test
    void theExactPseudoLikelihoodMatchesItsDefinition() {
        Model model = rbm(2);
        Energy energy = model.as(Energy.class).orElseThrow();
        double[] x = RbmTwinTest.patterns(3, D, new Rng(1));
        double expected = 0;
        try (Tensor v = Tensor.of(allocator, DType.FLOAT64, x, 3, 1, 6, 6)) {
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < D; i++) {
                    double[] row = java.util.Arrays.copyOfRange(x, r * D, r * D + D);
                    double[] flipped = row.clone();
                    flipped[i] = 1 - flipped[i];
                    double[] both = new double[2 * D];
                    System.arraycopy(row, 0, both, 0, D);
                    System.arraycopy(flipped, 0, both, D, D);
                    try (Tensor t = Tensor.ofDoubles(allocator, both, 2, D); Tensor e = energy.energy(t)) {
                        double p1 = Math.exp(-e.getDouble(0));
                        double p0 = Math.exp(-e.getDouble(1));
                        expected += Math.log(p1 / (p1 + p0)) / 3;
                    }
                }
            }
            assertEquals(expected, ContrastiveDivergence.pseudoLogLikelihood(energy, v, allocator), 1e-10);
        }
    }

    @Test
    void aResumedRunEndsWithTheNumbersOfAnUninterruptedOne() throws Exception {
        for (boolean persistent : new boolean[] {false, true}) {
            try (InMemoryDataset data = data()) {
                Model whole = rbm(3);
                List<Metric> expected = train(persistent, whole, data, new TestRunContext(11, allocator));
                Model first = rbm(3);
                TestRunContext stopped = new TestRunContext(11, allocator).cancelAfterChecks(137);
                assertThrows(CancellationException.class, () -> train(persistent, first, data, stopped));
                Model resumed = rbm(3);
                List<Metric> again = train(persistent, resumed, data, TestRunContext.resumeFrom(stopped, allocator));
                assertEquals(expected, again, persistent ? "PCD" : "CD");
                assertArrayEquals(parameters(whole), parameters(resumed));
            }
        }
    }

    private static List<Metric> train(boolean persistent, Model model, InMemoryDataset data, TestRunContext context)
            throws Exception {
        return persistent
                ? new PcdTrainer().train(model, data, new PcdTrainer.Config(250, 20, 1, 10, 0.05, "cosine", 0.9, 0.5, 20,
                        1e-4, 10, 100, 50, 50, false), context)
                : new CdTrainer().train(model, data, new CdTrainer.Config(250, 20, 2, 0.05, "cosine", 0.9, 0.5, 20, 1e-4,
                        10, 100, 50, 50, false), context);
    }

    private double[] parameters(Model m) {
        return RbmTwinTest.parameters(m.as(BlockGibbs.class).orElseThrow(), SHAPE, D, allocator);
    }

    @Test
    void aDeepBeliefNetIsTrainedLayerByLayerAndResumesAcrossTheBoundary() throws Exception {
        DbnFamily.Config config = new DbnFamily.Config(List.of(16, 8), null, null, null, null, 100, null, null, 20, 200,
                null);
        try (InMemoryDataset data = data()) {
            Model whole = new DbnFamily().create(config, INFO, new Rng(5));
            TestRunContext context = new TestRunContext(13, allocator);
            CdTrainer.Config cd = new CdTrainer.Config(200, 20, 1, 0.05, "constant", 0.9, 0.5, 20, 1e-4, 10, 0, 50,
                    100, true);
            Map<String, Metric> m = byName(new CdTrainer().train(whole, data, cd, context));
            assertTrue(m.containsKey("test_pseudo_loglik") && m.containsKey("layer1_test_pseudo_loglik"), m.keySet()
                    .toString());
            assertEquals(400.0, m.get("steps").value());
            assertEquals(1, m.get("layer1_test_recon_error").protocol().get("layer"));
            LayerwiseTrainable stack = whole.as(LayerwiseTrainable.class).orElseThrow();
            assertTrue(m.get("layer1_train_recon_error").value() < 8 * 0.25, "the second layer learned its input: "
                    + m.get("layer1_train_recon_error").value());
            // Stopped in the second layer, resumed: the same final numbers, including the first layer's.
            Model part = new DbnFamily().create(config, INFO, new Rng(5));
            TestRunContext stopped = new TestRunContext(13, allocator).cancelAfterChecks(250);
            assertThrows(CancellationException.class, () -> new CdTrainer().train(part, data, cd, stopped));
            Model resumed = new DbnFamily().create(config, INFO, new Rng(5));
            Map<String, Metric> again = byName(new CdTrainer().train(resumed, data, cd,
                    TestRunContext.resumeFrom(stopped, allocator)));
            assertEquals(m, again);
            for (int l = 0; l < 2; l++) {
                long[] shape = l == 0 ? SHAPE : new long[] {16};
                int d = l == 0 ? D : 16;
                assertArrayEquals(RbmTwinTest.parameters(stack.layer(l).as(BlockGibbs.class).orElseThrow(), shape, d,
                        allocator), RbmTwinTest.parameters(resumed.as(LayerwiseTrainable.class).orElseThrow().layer(l)
                        .as(BlockGibbs.class).orElseThrow(), shape, d, allocator));
            }
        }
    }

    @Test
    void settingsAreCheckedByName() {
        assertEquals("k must be in 1..1000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new CdTrainer.Config(null, null, 0, null, null, null, null, null, null, null, null, null, null,
                        null)).getMessage());
        assertEquals("schedule must be one of [constant, linear, cosine], was 'step'",
                assertThrows(IllegalArgumentException.class, () -> new CdTrainer.Config(null, null, null, null, "step",
                        null, null, null, null, null, null, null, null, null)).getMessage());
        assertEquals("momentum must be in [0, 1), was 1.0", assertThrows(IllegalArgumentException.class,
                () -> new CdTrainer.Config(null, null, null, null, null, 1.0, null, null, null, null, null, null, null,
                        null)).getMessage());
        assertEquals("chains must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> new PcdTrainer.Config(null, null, null, 0, null, null, null, null, null, null, null, null, null,
                        null, null)).getMessage());
        assertEquals(100, PcdTrainer.Config.defaults().chains());
        assertEquals("BlockGibbs and ContrastiveTrainable or LayerwiseTrainable", new CdTrainer().requires().describe());
    }
}
