package org.genbench.model.gmm.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Milliseconds per EM iteration of the Java GMM. Leaves the data ({@code <case>-x.npy}), the initial parameters
 * ({@code <case>-init.json}) and its own timings ({@code java.json}) in {@code target/gmm-em-bench}, where
 * datasets/reference/gmm_em_timing.py times scikit-learn on the same data from the same start;
 * bench/em_vs_sklearn.sh runs both.
 */
@Tag("benchmark")
class GmmEmBenchmark {
    static final Path OUT = Paths.get("target", "gmm-em-bench");
    static final int WARMUP = 3;
    static final int ITERATIONS = 20;
    static final int K = 8;

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void emIterationTimes() throws IOException {
        Files.createDirectories(OUT);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupIterations", WARMUP);
        results.put("iterations", ITERATIONS);
        results.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        results.put("nd4jThreads", Nd4j.getEnvironment().maxThreads());
        Map<String, Object> cases = new LinkedHashMap<>();
        results.put("cases", cases);
        cases.put("n100000-d2-k8", run("n100000-d2-k8", 100_000, 2, 1));
        cases.put("n20000-d16-k8", run("n20000-d16-k8", 20_000, 16, 2));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(OUT.resolve("java.json").toFile(),
                results);
    }

    private Map<String, Object> run(String name, int n, int d, long seed) throws IOException {
        GmmFamily.Config config = Fixtures.config(K);
        try (Tensor x = truth(d, new Rng(seed)).sample(n, new Rng(seed + 100), allocator)) {
            GmmModel start = new GmmModel(config, Fixtures.vectors(d));
            start.initialize(x, new Rng(seed + 200));
            GmmParameters init = start.parameters();
            writeNpy(OUT.resolve(name + "-x.npy"), x, n, d);
            Map<String, Object> initJson = new LinkedHashMap<>();
            initJson.put("regCovar", config.regCovar());
            initJson.put("weights", init.weights());
            initJson.put("means", init.means());
            initJson.put("covariances", init.covariances());
            new ObjectMapper().writeValue(OUT.resolve(name + "-init.json").toFile(), initJson);

            // Warm the JIT and ND4J on a throwaway copy, then time a fresh copy from the shared start so the
            // timed trajectory is the one scikit-learn repeats.
            GmmModel warm = copy(config, d, init);
            for (int i = 0; i < WARMUP; i++) {
                warm.emStep(x);
            }
            GmmModel timed = copy(config, d, init);
            double[] ms = new double[ITERATIONS];
            List<Double> bounds = new ArrayList<>();
            for (int i = 0; i < ITERATIONS; i++) {
                long t0 = System.nanoTime();
                double ll = timed.emStep(x);
                ms[i] = (System.nanoTime() - t0) / 1e6;
                bounds.add(ll);
                assertTrue(Double.isFinite(ll), name + ": log-likelihood " + ll + " at iteration " + (i + 1));
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = (sorted[(ITERATIONS - 1) / 2] + sorted[ITERATIONS / 2]) / 2;
            System.out.printf("GmmEmBenchmark %s (n=%d, d=%d, k=%d): median %.2f ms/iteration (min %.2f, max %.2f)"
                    + " over %d iterations; mean log-likelihood %.10f -> %.10f%n", name, n, d, K, median, sorted[0],
                    sorted[ITERATIONS - 1], ITERATIONS, bounds.get(0), bounds.get(ITERATIONS - 1));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("n", n);
            r.put("d", d);
            r.put("k", K);
            r.put("medianMs", median);
            r.put("minMs", sorted[0]);
            r.put("msPerIteration", ms);
            r.put("lowerBounds", bounds);
            return r;
        }
    }

    /** k well-spread components with random shapes, so EM has real work to do for every iteration. */
    private static GmmModel truth(int d, Rng rng) {
        double[] w = new double[K];
        double sum = 0;
        for (int j = 0; j < K; j++) {
            w[j] = 0.5 + rng.nextDouble();
            sum += w[j];
        }
        double[][] mu = new double[K][d];
        double[][][] cov = new double[K][d][d];
        for (int j = 0; j < K; j++) {
            w[j] /= sum;
            for (int a = 0; a < d; a++) {
                mu[j][a] = 3 * rng.nextGaussian();
            }
            double[][] m = new double[d][d];
            for (double[] row : m) {
                for (int a = 0; a < d; a++) {
                    row[a] = rng.nextGaussian();
                }
            }
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += m[a][c] * m[b][c];
                    }
                    cov[j][a][b] = s / d + (a == b ? 0.3 : 0);
                }
            }
        }
        return GmmModel.fromParameters(Fixtures.config(K), Fixtures.vectors(d), w, mu, cov);
    }

    private static GmmModel copy(GmmFamily.Config config, int d, GmmParameters p) {
        return GmmModel.fromParameters(config, Fixtures.vectors(d), p.weights(), p.means(), p.covariances());
    }

    /** NumPy's .npy format, version 1.0: little-endian float64, C order. */
    static void writeNpy(Path file, Tensor x, int n, int d) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        head.putShort((short) header.length());
        ByteBuffer body = ByteBuffer.allocate(n * d * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < (long) n * d; i++) {
            body.putDouble(x.getDouble(i));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head.array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            out.write(body.array());
        }
    }
}
