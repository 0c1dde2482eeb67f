package org.genbench.eval.likelihood.internal;

import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.EmFittable;
import org.genbench.api.LogDensity;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.model.gmm.internal.GmmFamily;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The evaluator on the real Gaussian mixture (model.gmm), fitted by EM to three 2-D clusters: the exact estimator
 * reports the mean of the model's own log-density, and AIS on the GMM's energy (-log p, already normalized, so
 * log Z = 0) recovers it within its standard error.
 */
class GmmLikelihoodTest {
    private static final DataInfo INFO = new DataInfo("test/clusters", new long[] {2}, DataInfo.CONTINUOUS, 0, null);
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private Tensor clusters(int n, Rng rng) {
        double[][] centres = {{-2, 0}, {2, 0.5}, {0, 2.5}};
        Tensor x = Tensor.allocate(allocator, DType.FLOAT64, n, 2);
        for (int i = 0; i < n; i++) {
            double[] c = centres[rng.nextInt(3)];
            x.setDouble(2L * i, c[0] + 0.6 * rng.nextGaussian());
            x.setDouble(2L * i + 1, c[1] + 0.4 * rng.nextGaussian());
        }
        return x;
    }

    private Model fittedGmm() {
        Model gmm = new GmmFamily().create(new GmmFamily.Config(3, null, null, null, null), INFO, new Rng(1));
        try (Tensor train = clusters(1500, new Rng(2))) {
            EmFittable em = (EmFittable) gmm;
            em.initialize(train, new Rng(3));
            for (int i = 0; i < 50; i++) {
                em.emStep(train);
            }
        }
        return gmm;
    }

    @Test
    void exactEvaluatorAgreesWithTheGmmsOwnLogDensity() {
        try (Model gmm = fittedGmm(); InMemoryDataset data = TestDataset.of(INFO, "test", clusters(700, new Rng(4)))) {
            double own;
            try (Tensor lp = ((LogDensity) gmm).logDensity(data.split("test").x())) {
                double s = 0;
                for (double v : lp.toDoubleArray()) {
                    s += v;
                }
                own = s / lp.size();
            }
            Map<String, Metric> m = new HeldOutLikelihood().evaluate(gmm, data, Map.of(),
                    new HeldOutLikelihood.Config(null, null, 128), new TestRunContext(5, allocator)).stream()
                    .collect(Collectors.toMap(Metric::name, Function.identity()));
            assertEquals("exact", m.get("test_loglik").kind());
            assertEquals(own, m.get("test_loglik").value(), 1e-12 * Math.abs(own));
            assertEquals(-own / (2 * Math.log(2)), m.get("test_bits_per_dim").value(), 1e-12);
        }
    }

    @Test
    void aisOnTheGmmsEnergyFindsLogZZeroAndTheSameLikelihood() {
        try (Model gmm = fittedGmm(); InMemoryDataset data = TestDataset.of(INFO, "test", clusters(300, new Rng(6)))) {
            HeldOutLikelihood evaluator = new HeldOutLikelihood();
            Map<String, Metric> exact = evaluator.evaluate(gmm, data, Map.of(), new HeldOutLikelihood.Config(null, null,
                    null), new TestRunContext(7, allocator)).stream()
                    .collect(Collectors.toMap(Metric::name, Function.identity()));
                Map<String, Metric> ais = evaluator.evaluate(gmm, data, Map.of(), new HeldOutLikelihood.Config(null, null,
                    null, "ais", 200, 100, null), new TestRunContext(8, allocator)).stream()
                    .collect(Collectors.toMap(Metric::name, Function.identity()));
            double se = ais.get("test_ais_log_z_se").value();
            assertTrue(se > 0 && se < 0.2, "se " + se);
            assertEquals(0.0, ais.get("test_ais_log_z").value(), 3 * se, "the GMM's energy is already normalized");
            assertEquals(exact.get("test_loglik").value(), ais.get("test_loglik").value(), 3 * se + 1e-12);
        }
    }
}
