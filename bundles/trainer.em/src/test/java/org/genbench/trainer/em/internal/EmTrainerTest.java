package org.genbench.trainer.em.internal;

import org.genbench.api.InMemoryDataset;
import org.genbench.testing.TestRunContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.EmFittable;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EmTrainerTest {
    private final EmTrainer trainer = new EmTrainer();
    BufferAllocator allocator;
    InMemoryDataset data;
    Fakes.Context context;

    @BeforeEach
    void open() throws Exception {
        allocator = new RootAllocator();
        data = Fakes.twoSplits(twoClusters(1000, new Rng(1)), twoClusters(100, new Rng(2)));
        context = new Fakes.Context(allocator);
    }

    @AfterEach
    void close() throws Exception {
        data.close();
        allocator.close();
    }

    /** 60% from N(-2, 1), 40% from N(3, 0.25). */
    private Tensor twoClusters(int n, Rng rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble() < 0.6 ? -2 + rng.nextGaussian() : 3 + 0.5 * rng.nextGaussian();
        }
        return Tensor.ofDoubles(allocator, v, n, 1);
    }

    @Test
    void stopsAtTheFirstChangeBelowTolerance() throws Exception {
        // v_t = -1 - 2^-t: the change at step t >= 2 is 2^-t, first below 1e-3 at t = 10 (2^-10 = 9.8e-4).
        double[] values = new double[40];
        for (int t = 1; t <= values.length; t++) {
            values[t - 1] = -1 - Math.pow(2, -t);
        }
        Fakes.Scripted model = new Fakes.Scripted(values);
        Map<String, Metric> m = byName(trainer.train(model, data, new EmTrainer.Config(100, 1e-3, null), context));
        assertEquals(10, model.steps);
        assertEquals(10, m.get("iterations").value());
        assertEquals(1, m.get("converged").value());
        assertEquals(values[9], m.get("train_loglik").value());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), context.steps);
        assertEquals(values[9], context.logliks().get(9));
        assertEquals(10, context.lastDone);
        assertEquals(100, context.lastTotal);
    }

    @Test
    void zeroToleranceRunsEveryIteration() throws Exception {
        double[] values = new double[7];
        for (int t = 0; t < values.length; t++) {
            values[t] = -1 - Math.pow(2, -t);
        }
        values[6] = values[5]; // an exact repeat still counts as a change of 0, not below 0
        Fakes.Scripted model = new Fakes.Scripted(values);
        Map<String, Metric> m = byName(trainer.train(model, data, new EmTrainer.Config(7, 0.0, null), context));
        assertEquals(7, model.steps);
        assertEquals(7, m.get("iterations").value());
        assertEquals(0, m.get("converged").value());
    }

    @Test
    void realEmLogLikelihoodNeverDecreasesAndConverges() throws Exception {
        Fakes.TwoGaussians model = new Fakes.TwoGaussians();
        EmTrainer.Config config = new EmTrainer.Config(500, 1e-8, null);
        Map<String, Metric> m = byName(trainer.train(model, data, config, context));
        List<Double> ll = context.logliks();
        assertEquals(ll.size(), (int) m.get("iterations").value());
        assertEquals(1, m.get("converged").value());
        for (int i = 1; i < ll.size(); i++) {
            double change = ll.get(i) - ll.get(i - 1);
            assertTrue(change >= -1e-12, "step " + (i + 1) + " decreased the log-likelihood by " + -change);
            if (i < ll.size() - 1) {
                assertTrue(Math.abs(change) >= 1e-8, "should have stopped at step " + (i + 1));
            } else {
                assertTrue(Math.abs(change) < 1e-8, "stopped at a change of " + change);
            }
        }
        assertEquals(ll.get(ll.size() - 1), m.get("train_loglik").value());
        // The clusters are far apart: EM must find them.
        double lo = Math.min(model.mu[0], model.mu[1]);
        double hi = Math.max(model.mu[0], model.mu[1]);
        assertEquals(-2, lo, 0.15);
        assertEquals(3, hi, 0.1);
    }

    @Test
    void aRunResumedFromItsCheckpointEndsExactlyWhereAnUninterruptedOneDoes() throws Exception {
        EmTrainer.Config config = new EmTrainer.Config(500, 1e-12, 2);
        Map<String, Metric> uninterrupted = byName(trainer.train(new Fakes.TwoGaussians(), data, config, context));
        assertTrue(uninterrupted.get("iterations").value() > 6, "the fit must outlast the interruption");

        Fakes.Context killed = new Fakes.Context(allocator);
        killed.cancelAfter = 5; // stops after step 5; the newest checkpoint is step 4
        trainer.train(new Fakes.TwoGaussians(), data, config, killed);
        TestRunContext resumed = TestRunContext.resumeFrom(killed, allocator);
        Map<String, Metric> after = byName(trainer.train(new Fakes.TwoGaussians(), data, config, resumed));

        assertEquals(5L, resumed.steps.get(0), "continues after the newest checkpoint");
        assertEquals(uninterrupted.get("iterations").value(), after.get("iterations").value());
        assertEquals(uninterrupted.get("train_loglik").value(), after.get("train_loglik").value(), 0.0);
        assertEquals(context.logged.subList(4, context.logged.size()), resumed.logged);
    }

    /** Equal thirds from N(-4, 0.5^2), N(0, 0.5^2), N(4, 0.5^2): two components have several local optima. */
    private Tensor threeClusters(int n, Rng rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 4 * (rng.nextInt(3) - 1) + 0.5 * rng.nextGaussian();
        }
        return Tensor.ofDoubles(allocator, v, n, 1);
    }

    /** One initialization run by hand: initialize from {@code rng}, EM until the change is under tol. */
    private static Object[] fitByHand(Tensor x, Rng rng, int max, double tol) {
        Fakes.TwoGaussians m = new Fakes.TwoGaussians();
        m.initialize(x, rng);
        double previous = Double.NEGATIVE_INFINITY;
        double ll = Double.NaN;
        int it = 0;
        while (it < max) {
            ll = m.emStep(x);
            it++;
            if (Math.abs(ll - previous) < tol) {
                break;
            }
            previous = ll;
        }
        return new Object[] {ll, it, m};
    }

    @Test
    void nInitKeepsTheInitializationWithTheBestFinalLogLikelihood() throws Exception {
        try (InMemoryDataset three = Fakes.twoSplits(threeClusters(600, new Rng(5)), threeClusters(60, new Rng(6)))) {
            Tensor x = three.split("train").x();
            int nInit = 6;
            double tol = 1e-10;
            // The same initializations by hand: the first from the trainer's stream, the i-th from its split.
            double[] finals = new double[nInit];
            int best = 0;
            Object[] bestFit = null;
            for (int r = 0; r < nInit; r++) {
                Rng rng = r == 0 ? new Rng(17) : new Rng(17).split("restart/" + r);
                Object[] fit = fitByHand(x, rng, 500, tol);
                finals[r] = (double) fit[0];
                if (bestFit == null || finals[r] > finals[best]) {
                    best = r;
                    bestFit = fit;
                }
            }
            double spread = java.util.Arrays.stream(finals).max().getAsDouble()
                    - java.util.Arrays.stream(finals).min().getAsDouble();
            assertTrue(spread > 1e-3, "the initializations must end in different optima for this test to mean "
                    + "anything: " + java.util.Arrays.toString(finals));

            Fakes.TwoGaussians model = new Fakes.TwoGaussians();
            Map<String, Metric> m = byName(trainer.train(model, three, new EmTrainer.Config(500, tol, 0, nInit), context));
            assertEquals(finals[best], m.get("train_loglik").value(), 0.0);
            assertEquals(best, m.get("best_init").value());
            assertEquals((int) bestFit[1], (int) m.get("iterations").value());
            Fakes.TwoGaussians expected = (Fakes.TwoGaussians) bestFit[2];
            assertEquals(expected.w, model.w, 0.0, "the best initialization's parameters are restored");
            assertEquals(expected.mu[0], model.mu[0], 0.0);
            assertEquals(expected.mu[1], model.mu[1], 0.0);
            int steps = 0;
            for (int r = 0; r < nInit; r++) {
                steps += (int) fitByHand(x, r == 0 ? new Rng(17) : new Rng(17).split("restart/" + r), 500, tol)[1];
            }
            assertEquals(steps, context.logged.size(), "every initialization ran, its steps numbered on");
            assertEquals((long) steps, context.steps.get(context.steps.size() - 1));
        }
    }

    @Test
    void aRunWithRestartsResumedInALaterInitializationEndsWhereAnUninterruptedOneDoes() throws Exception {
        try (InMemoryDataset three = Fakes.twoSplits(threeClusters(600, new Rng(5)), threeClusters(60, new Rng(6)))) {
            EmTrainer.Config config = new EmTrainer.Config(500, 1e-10, 2, 4);
            Fakes.TwoGaussians whole = new Fakes.TwoGaussians();
            Map<String, Metric> uninterrupted = byName(trainer.train(whole, three, config, context));
            Tensor x = three.split("train").x();
            long firstTwo = (int) fitByHand(x, new Rng(17), 500, 1e-10)[1]
                    + (int) fitByHand(x, new Rng(17).split("restart/1"), 500, 1e-10)[1];

            Fakes.Context killed = new Fakes.Context(allocator);
            killed.cancelAfter = (int) firstTwo + 5; // inside the third initialization
            trainer.train(new Fakes.TwoGaussians(), three, config, killed);
            TestRunContext resumed = TestRunContext.resumeFrom(killed, allocator);
            Fakes.TwoGaussians model = new Fakes.TwoGaussians();
            Map<String, Metric> after = byName(trainer.train(model, three, config, resumed));

            assertEquals(uninterrupted.get("train_loglik").value(), after.get("train_loglik").value(), 0.0);
            assertEquals(uninterrupted.get("best_init").value(), after.get("best_init").value());
            assertEquals(uninterrupted.get("iterations").value(), after.get("iterations").value());
            assertEquals(whole.mu[0], model.mu[0], 0.0);
            assertEquals(whole.mu[1], model.mu[1], 0.0);
            assertEquals(context.logged.subList(context.logged.size() - resumed.logged.size(), context.logged.size()),
                    resumed.logged, "the resumed run logs the same steps the uninterrupted one did");
        }
    }

    @Test
    void stopsWhenTheRunIsCancelled() throws Exception {
        context.cancelAfter = 3;
        Fakes.TwoGaussians model = new Fakes.TwoGaussians();
        Map<String, Metric> m = byName(trainer.train(model, data, EmTrainer.Config.defaults(), context));
        assertEquals(3, m.get("iterations").value());
        assertEquals(0, m.get("converged").value());
        assertEquals(context.logliks().get(2), m.get("train_loglik").value());
    }

    @Test
    void cancelledBeforeTheFirstStepReportsNoLogLikelihood() throws Exception {
        context.cancelAfter = 0;
        Map<String, Metric> m = byName(trainer.train(new Fakes.TwoGaussians(), data, EmTrainer.Config.defaults(),
                context));
        assertEquals(0, m.get("iterations").value());
        assertFalse(m.containsKey("train_loglik"));
    }

    @Test
    void initializesOnTheTrainSplitWithTheContextsStream() throws Exception {
        Fakes.Scripted model = new Fakes.Scripted(-1, -1);
        trainer.train(model, data, EmTrainer.Config.defaults(), context);
        assertSame(data.split("train").x(), model.initializedOn);
        assertSame(context.rng(), model.initializedWith);
    }

    @Test
    void divergenceFailsWithTheIteration() throws Exception {
        Fakes.Scripted model = new Fakes.Scripted(-3, -2, Double.NaN);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> trainer.train(model, data, EmTrainer.Config.defaults(), context));
        assertTrue(e.getMessage().contains("NaN at iteration 3"), e.getMessage());
    }

    @Test
    void refusesAModelWithoutEm() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.train(new Fakes.NotFittable(), data, EmTrainer.Config.defaults(), context));
        assertTrue(e.getMessage().contains("EmFittable"), e.getMessage());
    }

    @Test
    void requiresEmFittable() throws Exception {
        assertEquals(List.of(Set.of(EmFittable.class)), trainer.requires().alternatives());
        assertEquals("EmFittable", trainer.requires().describe());
    }

    @Test
    void configDefaultsAndValidation() throws Exception {
        EmTrainer.Config c = EmTrainer.Config.defaults();
        assertEquals(100, c.maxIterations());
        assertEquals(1e-6, c.tolerance());
        assertRejected(() -> new EmTrainer.Config(0, null, null), "maxIterations must be in 1..100000, was 0");
        assertRejected(() -> new EmTrainer.Config(null, -1e-9, null), "tolerance must be in 0..1e6, was -1.0E-9");
        assertRejected(() -> new EmTrainer.Config(null, Double.NaN, null), "tolerance");
        assertRejected(() -> new EmTrainer.Config(null, null, null, 0), "nInit must be in 1..1000, was 0");
    }

    @Test
    void isADeclarativeServicesTrainerNamedEm() throws IOException {
        assertEquals("em", trainer.name());
        assertEquals(EmTrainer.Config.class, trainer.configType());
        try (InputStream in = getClass().getResourceAsStream("/OSGI-INF/" + EmTrainer.class.getName() + ".xml")) {
            assertNotNull(in, "bnd wrote no component description");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("org.genbench.api.Trainer"), xml);
        }
    }

    private static Map<String, Metric> byName(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    private static void assertRejected(Executable build, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
