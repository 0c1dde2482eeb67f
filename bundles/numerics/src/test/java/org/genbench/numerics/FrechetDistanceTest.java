package org.genbench.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Fréchet distance against pytorch-fid's formula computed with scipy.linalg.sqrtm on fixed statistics
 * (fid_reference.json, written by datasets/reference/fid_reference.py), including rank-deficient covariances where
 * scipy's sqrtm comes back complex and pytorch-fid keeps its real part.
 */
class FrechetDistanceTest {
    private static final double REL_TOL = 1e-6;
    private static JsonNode reference;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = FrechetDistanceTest.class.getResourceAsStream("/fid_reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    static Stream<String> cases() throws IOException {
        load();
        List<String> names = new ArrayList<>();
        reference.get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    private static JsonNode find(String name) {
        for (JsonNode c : reference.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name);
    }

    static double[] vector(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    static double[][] matrix(JsonNode n) {
        double[][] m = new double[n.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = vector(n.get(i));
        }
        return m;
    }

    /** A tolerance relative to the distance, but never below rounding of the terms it is the difference of. */
    private static double tolerance(JsonNode c) {
        double scale = 0;
        for (String s : new String[] {"sigma1", "sigma2"}) {
            double[][] m = matrix(c.get(s));
            for (int i = 0; i < m.length; i++) {
                scale += m[i][i];
            }
        }
        return Math.max(REL_TOL * Math.abs(c.get("fid").asDouble()), 1e-10 * scale);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPytorchFidWithScipySqrtmOnFixedStatistics(String name) {
        JsonNode c = find(name);
        FrechetDistance.Statistics a = FrechetDistance.Statistics.of(vector(c.get("mu1")), matrix(c.get("sigma1")),
                c.get("n1").asLong());
        FrechetDistance.Statistics b = FrechetDistance.Statistics.of(vector(c.get("mu2")), matrix(c.get("sigma2")),
                c.get("n2").asLong());
        FrechetDistance.Result r = FrechetDistance.distance(a, b);
        double expected = c.get("fid").asDouble();
        assertEquals(expected, r.value(), tolerance(c), name + (c.get("sqrtmComplex").asBoolean()
                ? " (scipy's sqrtm was complex; real part)" : ""));
        assertEquals(c.get("offsetApplied").asBoolean(), r.offsetApplied(), name + ": eps retry");
    }

    @Test
    void meanAndCovarianceAreNumpys() {
        JsonNode c = find("small-d8-with-features");
        for (int k = 1; k <= 2; k++) {
            INDArray features = Nd4j.createFromArray(matrix(c.get("features" + k)));
            FrechetDistance.Statistics s = FrechetDistance.statistics(features);
            double[] mu = vector(c.get("mu" + k));
            double[][] sigma = matrix(c.get("sigma" + k));
            for (int i = 0; i < mu.length; i++) {
                assertEquals(mu[i], s.mean().getDouble(i), 1e-12);
                for (int j = 0; j < mu.length; j++) {
                    assertEquals(sigma[i][j], s.covariance().getDouble(i, j), 1e-12);
                }
            }
        }
        FrechetDistance.Result fromFeatures = FrechetDistance.distance(
                FrechetDistance.statistics(Nd4j.createFromArray(matrix(c.get("features1")))),
                FrechetDistance.statistics(Nd4j.createFromArray(matrix(c.get("features2")))));
        assertEquals(c.get("fid").asDouble(), fromFeatures.value(), REL_TOL * c.get("fid").asDouble());
    }

    @Test
    void theFixtureHasTheCasesThatMatter() {
        assertTrue(reference.get("cases").findValues("sqrtmComplex").stream().anyMatch(JsonNode::asBoolean),
                "a near-singular case where scipy's sqrtm is complex");
        assertEquals(0.0, find("identical-d12").get("fid").asDouble(), 1e-9);
    }

    @Test
    void nonFiniteCovariancesTakeTheEpsRetryAndStillFailLoudlyAsNaN() {
        INDArray bad = Nd4j.eye(3).castTo(DataType.DOUBLE);
        bad.putScalar(1, 1, Double.NaN);
        FrechetDistance.Statistics a = new FrechetDistance.Statistics(Nd4j.zeros(DataType.DOUBLE, 3), bad, 10);
        FrechetDistance.Statistics b = new FrechetDistance.Statistics(Nd4j.zeros(DataType.DOUBLE, 3),
                Nd4j.eye(3).castTo(DataType.DOUBLE), 10);
        FrechetDistance.Result r = FrechetDistance.distance(a, b);
        assertTrue(r.offsetApplied());
        assertTrue(Double.isNaN(r.value()));
        assertFalse(FrechetDistance.distance(b, b).offsetApplied());
        assertEquals(0.0, FrechetDistance.distance(b, b).value(), 1e-12);
    }
}
