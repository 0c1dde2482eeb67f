package org.genbench.eval.likelihood.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.testing.Required;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.model.rbm.internal.RbmFamily;
import org.genbench.testing.TestRunContext;
import org.genbench.trainer.cd.internal.CdTrainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reference for AIS at full size: an RBM with 784 visible and 20 hidden units trained (CD-1) on
 * binarized Fashion-MNIST, small enough that log Z is a sum over its 2^20 hidden states, computed here through the
 * model's conditionals alone. The loglik evaluator's AIS (one block-Gibbs sweep per distribution, 1000
 * distributions, 100 chains) must land within 3 of its standard errors of it, and the standard error must be honest:
 * the spread of 10 independent runs agrees with it within a factor of 2. Needs Debian's dataset-fashion-mnist.
 *
 * <p>What this does not show: AIS cannot see mass in modes its chains never reach. On 784x20 RBMs trained here by
 * PCD (learning rate 0.01 or 0.05), log Z was dominated by one or two hidden states far from the data, and AIS came out
 * 3.2 and 10.7 nats low with standard errors of 0.03, whatever the base (data frequencies, uniform, the model's own
 * biases), the side annealed (visible or hidden), 10x more distributions or 10x more chains. The error bar covers the
 * chains' spread, not their coverage; such models' AIS log-likelihoods are optimistic.
 */
class RbmAisReferenceTest {
    static final Path DIR = Required.FASHION_MNIST;
    static final int TRAIN = 10_000;
    static final int TEST = 1000;
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** The first n images of an IDX file, binarized at intensity 0.5, as float32 [n, 1, 28, 28]. */
    static Tensor binarized(BufferAllocator allocator, String file, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(DIR.resolve(file))))) {
            in.skipNBytes(16);
            byte[] bytes = in.readNBytes(n * 784);
            double[] x = new double[bytes.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (bytes[i] & 0xff) / 255.0 >= 0.5 ? 1 : 0;
            }
            return Tensor.of(allocator, DType.FLOAT32, x, n, 1, 28, 28);
        }
    }

    /** log Z = log sum_h exp(c.h + sum_i softplus((b + W h)_i)), c = a(0), b + W h = visibleField(h). */
    static double exactLogZ(BlockGibbs rbm, BufferAllocator allocator) {
        int hidden = rbm.hiddenUnits();
        double c0;
        double[] c;
        try (Tensor zero = Tensor.allocate(allocator, DType.FLOAT64, 1, 1, 28, 28); Tensor a = rbm.hiddenField(zero)) {
            c = a.toDoubleArray();
        }
        int states = 1 << hidden;
        int chunk = 4096;
        double[] terms = new double[states];
        double[] h = new double[chunk * hidden];
        for (int s0 = 0; s0 < states; s0 += chunk) {
            for (int r = 0; r < chunk; r++) {
                for (int j = 0; j < hidden; j++) {
                    h[r * hidden + j] = ((s0 + r) >> j) & 1;
                }
            }
            double[] g;
            try (Tensor ht = Tensor.ofDoubles(allocator, h, chunk, hidden); Tensor f = rbm.visibleField(ht)) {
                g = f.toDoubleArray();
            }
            int d = g.length / chunk;
            for (int r = 0; r < chunk; r++) {
                // sum_i softplus(z_i) = sum_i max(z_i, 0) + log prod_i (1 + exp(-|z_i|)); the product is at most
                // 2^784, inside a double, and it costs one log per state instead of one per unit
                double positive = 0;
                double product = 1;
                for (int i = 0; i < d; i++) {
                    double z = g[r * d + i];
                    positive += Math.max(z, 0);
                    product *= 1 + Math.exp(-Math.abs(z));
                }
                double t = positive + Math.log(product);
                for (int j = 0; j < hidden; j++) {
                    t += c[j] * h[r * hidden + j];
                }
                terms[s0 + r] = t;
            }
        }
        double max = Arrays.stream(terms).max().orElseThrow();
        c0 = 0;
        for (double t : terms) {
            c0 += Math.exp(t - max);
        }
        return max + Math.log(c0);
    }

    @Test
    void aisOnA784By20RbmAgreesWithTheExactLogZAndItsStandardErrorIsHonest() throws IOException {
        Required.fashionMnist();
        DataInfo info = new DataInfo("fashion-mnist/threshold", new long[] {1, 28, 28}, DataInfo.BINARY, 10, null);
        Model rbm = new RbmFamily().create(new RbmFamily.Config(20, null, null, null, null), info, new Rng(1));
        try (InMemoryDataset data = new InMemoryDataset(info, Map.of(
                "train", Batch.of(binarized(allocator, "train-images-idx3-ubyte.gz", TRAIN)),
                "test", Batch.of(binarized(allocator, "t10k-images-idx3-ubyte.gz", TEST))))) {
            long t0 = System.nanoTime();
            new CdTrainer().train(rbm, data, new CdTrainer.Config(3000, 100, 1, 0.05, "linear", 0.9, 0.5, 300, 1e-4,
                    1000, 0, 20, 0, false), new TestRunContext(2, allocator));
            long t1 = System.nanoTime();
            double exact = exactLogZ(rbm.as(BlockGibbs.class).orElseThrow(), allocator);
            long t2 = System.nanoTime();
            double exactLoglik;
            try (Tensor e = rbm.as(Energy.class).orElseThrow().energy(data.split("test").x())) {
                exactLoglik = -Arrays.stream(e.toDoubleArray()).average().orElseThrow() - exact;
            }
            HeldOutLikelihood.Config config = new HeldOutLikelihood.Config(null, null, null, "ais", 1000, 100, null);
            int runs = 10;
            double[] logZ = new double[runs];
            double[] se = new double[runs];
            double[] loglik = new double[runs];
            int within = 0;
            for (int k = 0; k < runs; k++) {
                Map<String, Metric> m = new HeldOutLikelihood().evaluate(rbm, data, Map.of(), config,
                        new TestRunContext(100 + k, allocator)).stream()
                        .collect(Collectors.toMap(Metric::name, Function.identity()));
                logZ[k] = m.get("test_ais_log_z").value();
                se[k] = m.get("test_ais_log_z_se").value();
                loglik[k] = m.get("test_loglik").value();
                within += Math.abs(logZ[k] - exact) < 3 * se[k] ? 1 : 0;
                if (k == 0) {
                    assertTrue(((String) m.get("test_loglik").protocol().get("ais_kernel")).startsWith("block Gibbs"));
                    assertEquals(exactLoglik, loglik[0], 3 * se[0], "the test log-likelihood AIS implies");
                }
            }
            long t3 = System.nanoTime();
            double mean = Arrays.stream(logZ).average().orElseThrow();
            double spread = Math.sqrt(Arrays.stream(logZ).map(z -> (z - mean) * (z - mean)).sum() / (runs - 1));
            double meanSe = Arrays.stream(se).average().orElseThrow();
            System.out.printf("784x20 RBM on binarized Fashion-MNIST (CD-1, 3000 updates, %.1f s): exact log Z %.4f"
                    + " (enumeration %.1f s); AIS (1000 distributions, 100 chains, %.1f s per run) %s; mean %.4f,"
                    + " spread of %d runs %.4f vs mean reported se %.4f (ratio %.2f); %d of %d within 3 se; test"
                    + " log-likelihood exact %.3f, AIS %.3f%n", (t1 - t0) / 1e9, exact, (t2 - t1) / 1e9,
                    (t3 - t2) / 1e9 / runs, Arrays.toString(logZ), mean, runs, spread, meanSe, spread / meanSe, within,
                    runs, exactLoglik, loglik[0]);
            assertTrue(Math.abs(logZ[0] - exact) < 3 * se[0], "first run " + logZ[0] + " +- " + se[0] + " vs " + exact);
            assertTrue(within >= runs - 1, within + " of " + runs + " runs within 3 se");
            assertTrue(spread / meanSe > 0.5 && spread / meanSe < 2, "spread " + spread + " vs se " + meanSe);
            assertTrue(exactLoglik > -400 && exactLoglik < -150, "a trained model: " + exactLoglik);
        }
    }

    /**
     * The Gaussian-Bernoulli case: an RBM with 16 hidden units trained on eight Gaussians, whose log Z is a sum over
     * 2^16 Gaussian integrals: sum_h exp(c.h + (|b + sigma W h|^2 - |b|^2) / (2 sigma^2)) (2 pi sigma^2)^(d/2).
     */
    @Test
    void aisOnAGaussianBernoulliRbmTrainedOnEightGaussiansAgreesWithTheExactLogZ() throws IOException {
        int n = 4000;
        Rng rng = new Rng(8);
        double[] x = new double[2 * n];
        for (int r = 0; r < n; r++) {
            double angle = rng.nextInt(8) * Math.PI / 4;
            x[2 * r] = 2 * Math.sqrt(2) * Math.cos(angle) + 0.354 * rng.nextGaussian();
            x[2 * r + 1] = 2 * Math.sqrt(2) * Math.sin(angle) + 0.354 * rng.nextGaussian();
        }
        DataInfo info = new DataInfo("eight-gaussians", new long[] {2}, DataInfo.CONTINUOUS, 0, null);
        Model rbm = new RbmFamily().create(new RbmFamily.Config(16, "gaussian", 0.354, 0.1, null), info, new Rng(1));
        try (InMemoryDataset data = new InMemoryDataset(info, Map.of(
                "train", Batch.of(Tensor.ofDoubles(allocator, Arrays.copyOf(x, 2 * 3000), 3000, 2)),
                "test", Batch.of(Tensor.ofDoubles(allocator, Arrays.copyOfRange(x, 2 * 3000, 2 * n), n - 3000, 2))))) {
            new CdTrainer().train(rbm, data, new CdTrainer.Config(3000, 100, 1, 0.01, "linear", 0.9, 0.5, 300, 1e-4,
                    1000, 0, 20, 0, false), new TestRunContext(2, allocator));
            BlockGibbs gibbs = rbm.as(BlockGibbs.class).orElseThrow();
            double sigma2;
            try (Tensor v = gibbs.visibleVariance(allocator)) {
                sigma2 = v.getDouble(0);
            }
            int hidden = 16;
            double[] c;
            double[] b;
            try (Tensor zero = Tensor.allocate(allocator, DType.FLOAT64, 1, 2); Tensor a = gibbs.hiddenField(zero)) {
                c = a.toDoubleArray();
            }
            try (Tensor zero = Tensor.allocate(allocator, DType.FLOAT64, 1, hidden); Tensor g = gibbs.visibleField(zero)) {
                b = g.toDoubleArray();
            }
            double[] h = new double[(1 << hidden) * hidden];
            for (int s = 0; s < 1 << hidden; s++) {
                for (int j = 0; j < hidden; j++) {
                    h[s * hidden + j] = (s >> j) & 1;
                }
            }
            double[] m;
            try (Tensor ht = Tensor.ofDoubles(allocator, h, 1 << hidden, hidden); Tensor g = gibbs.visibleField(ht)) {
                m = g.toDoubleArray();
            }
            double[] terms = new double[1 << hidden];
            for (int s = 0; s < terms.length; s++) {
                double t = 0;
                for (int j = 0; j < hidden; j++) {
                    t += c[j] * h[s * hidden + j];
                }
                for (int i = 0; i < 2; i++) {
                    t += (m[2 * s + i] * m[2 * s + i] - b[i] * b[i]) / (2 * sigma2);
                }
                terms[s] = t;
            }
            double max = Arrays.stream(terms).max().orElseThrow();
            double exact = max + Math.log(Arrays.stream(terms).map(t -> Math.exp(t - max)).sum())
                    + Math.log(2 * Math.PI * sigma2);
            Map<String, Metric> r = new HeldOutLikelihood().evaluate(rbm, data, Map.of(),
                    new HeldOutLikelihood.Config(null, null, null, "ais", 1000, 100, null), new TestRunContext(3, allocator))
                    .stream().collect(Collectors.toMap(Metric::name, Function.identity()));
            double ais = r.get("test_ais_log_z").value();
            double se = r.get("test_ais_log_z_se").value();
            System.out.printf("Gaussian-Bernoulli RBM 2x16 on eight Gaussians: exact log Z %.4f, AIS %.4f +- %.4f, test"
                    + " log-likelihood %.4f%n", exact, ais, se, r.get("test_loglik").value());
            assertEquals(exact, ais, 3 * se);
            assertTrue(r.get("test_loglik").value() > -3.2, "near the data's own -2.84: " + r.get("test_loglik").value());
        }
    }
}
