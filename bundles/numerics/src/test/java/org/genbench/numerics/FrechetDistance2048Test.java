package org.genbench.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * FID at its real size: two sets of 2500 features of 2048 dimensions, the distance against pytorch-fid's formula
 * computed with numpy and scipy.linalg.sqrtm (fid_2048_reference.json, written by
 * datasets/reference/fid_2048_reference.py), to 1e-6 relative. The features are not stored: this test and the script
 * generate them with the same counter-based generator ({@link Features}), and the test first checks that it did.
 *
 * <p>OpenBLAS 0.3.19's wrong dsyevd eigenvectors on Sapphire Rapids turned the first case's 1018.3 into nonsense;
 * the smaller cases of FrechetDistanceTest (d <= 128) did not all see it.
 */
class FrechetDistance2048Test {
    private static final double REL_TOL = 1e-6;

    static Stream<String> cases() throws IOException {
        List<String> names = new ArrayList<>();
        reference().get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    private static JsonNode reference() throws IOException {
        try (InputStream in = FrechetDistance2048Test.class.getResourceAsStream("/fid_2048_reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesScipyAtTwoThousandFortyEightDimensions(String name) throws IOException {
        JsonNode c = null;
        for (JsonNode k : reference().get("cases")) {
            if (k.get("name").asText().equals(name)) {
                c = k;
            }
        }
        int d = c.get("d").asInt();
        int factors = c.get("factors").asInt();
        FrechetDistance.Statistics s1 = statistics(c.get("set1"), d, factors);
        FrechetDistance.Statistics s2 = statistics(c.get("set2"), d, factors);

        assertEquals(c.get("trace1").asDouble(), FrechetDistance.trace(s1.covariance()), 1e-9 * c.get("trace1").asDouble());
        assertEquals(c.get("trace2").asDouble(), FrechetDistance.trace(s2.covariance()), 1e-9 * c.get("trace2").asDouble());
        FrechetDistance.Result r = FrechetDistance.distance(s1, s2);
        double expected = c.get("fid").asDouble();
        System.out.printf("%s: FID %.12g, scipy %.12g, relative difference %.1e%n", name, r.value(), expected,
                Math.abs(r.value() - expected) / expected);
        assertEquals(expected, r.value(), REL_TOL * expected, name + ": FID vs scipy");
        assertFalse(r.offsetApplied(), name + ": no eps retry");
    }

    /** Generates one set, checks it is the script's (head, tail, sum), and returns its statistics. */
    private static FrechetDistance.Statistics statistics(JsonNode set, int d, int factors) {
        int n = set.get("n").asInt();
        double[] x = Features.generate(set.get("seed").asLong(), n, d, factors, set.get("which").asInt());
        for (int i = 0; i < 4; i++) {
            assertEquals(set.get("head").get(i).asDouble(), x[i], 0.0, "generator parity, first row");
            assertEquals(set.get("tail").get(i).asDouble(), x[n * d - 4 + i], 0.0, "generator parity, last row");
        }
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        assertEquals(set.get("sum").asDouble(), sum, 1e-9 * Math.abs(set.get("sum").asDouble()) + 1e-6,
                "generator parity, sum");
        INDArray features = Nd4j.create(x, new long[] {n, d}, 'c');
        return FrechetDistance.statistics(features);
    }

    /** The generator of datasets/reference/fid_2048_reference.py, operation for operation. */
    static final class Features {
        private static final long GOLDEN = 0x9E3779B97F4A7C15L;
        private static final double SQRT3 = Math.sqrt(3.0);

        private Features() {
        }

        static long bits(long seed, long index) {
            long z = seed + (index + 1) * GOLDEN;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        static double uniform(long seed, long index) {
            return (bits(seed, index) >>> 11) * 0x1p-53;
        }

        static double[] generate(long seed, int n, int d, int factors, int which) {
            int cols = d + factors;
            double[] z = new double[cols];
            double[] x = new double[n * d];
            double[][] w = new double[factors][d];
            double[] scale = new double[d];
            double[] shift = new double[d];
            for (int j = 0; j < d; j++) {
                scale[j] = 0.5 + ((7 * j + which) % 11) / 10.0;
                shift[j] = which == 2 ? 0.1 * ((j % 5) - 2) : 0.0;
                for (int q = 0; q < factors; q++) {
                    w[q][j] = ((j * (q + 3)) % 17) / 17.0 - 0.5;
                }
            }
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < cols; c++) {
                    long base = 4L * ((long) r * cols + c);
                    double s = uniform(seed, base);
                    s = s + uniform(seed, base + 1);
                    s = s + uniform(seed, base + 2);
                    s = s + uniform(seed, base + 3);
                    z[c] = (s - 2.0) * SQRT3;
                }
                int row = r * d;
                for (int j = 0; j < d; j++) {
                    double v = scale[j] * z[j];
                    for (int q = 0; q < factors; q++) {
                        v = v + z[d + q] * w[q][j];
                    }
                    x[row + j] = v + shift[j];
                }
            }
            return x;
        }
    }
}
