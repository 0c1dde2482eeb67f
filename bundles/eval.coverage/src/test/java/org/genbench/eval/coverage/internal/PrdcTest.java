package org.genbench.eval.coverage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

class PrdcTest {
    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    /** The four numbers equal a numpy implementation's (datasets/reference/prdc_reference.py) on the same features. */
    @Test
    void matchesTheNumpyReference() throws IOException {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/prdc_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        int checked = 0;
        for (JsonNode c : ref.path("cases")) {
            int d = c.path("d").asInt();
            double[] real = doubles(c.path("real"));
            double[] fake = doubles(c.path("fake"));
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path("k").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int k = Integer.parseInt(e.getKey());
                Prdc.Result r = Prdc.compute(real, fake, d, k);
                String where = c.path("name").asText() + ", k=" + k;
                assertEquals(e.getValue().path("precision").asDouble(), r.precision(), 1e-9, "precision, " + where);
                assertEquals(e.getValue().path("recall").asDouble(), r.recall(), 1e-9, "recall, " + where);
                assertEquals(e.getValue().path("density").asDouble(), r.density(), 1e-9, "density, " + where);
                assertEquals(e.getValue().path("coverage").asDouble(), r.coverage(), 1e-9, "coverage, " + where);
                checked++;
            }
        }
        assertEquals(12, checked);
    }

    /** Eight Gaussians on a circle of radius 2 sqrt 2 (the toy dataset's), from the given modes only. */
    static double[] eightGaussians(Rng rng, int n, int[] modes, double noise) {
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = modes[rng.nextInt(modes.length)] * Math.PI / 4;
            xy[2 * i] = 2 * Math.sqrt(2) * Math.cos(angle) + noise * rng.nextGaussian();
            xy[2 * i + 1] = 2 * Math.sqrt(2) * Math.sin(angle) + noise * rng.nextGaussian();
        }
        return xy;
    }

    private static final int[] ALL = {0, 1, 2, 3, 4, 5, 6, 7};
    private static final double NOISE = 0.5 / Math.sqrt(2);

    @Test
    void aModelThatDropsHalfTheModesHasRecallNearAHalfAndPrecisionNearOne() {
        double[] real = eightGaussians(new Rng(1), 2000, ALL, NOISE);
        double[] half = eightGaussians(new Rng(2), 2000, new int[] {0, 2, 4, 6}, NOISE);
        Prdc.Result r = Prdc.compute(real, half, 2, 5);
        assertEquals(0.5, r.recall(), 0.06, "recall");
        assertEquals(0.5, r.coverage(), 0.06, "coverage");
        assertTrue(r.precision() > 0.95, "precision " + r.precision());
        // the control: the same model with every mode
        Prdc.Result full = Prdc.compute(real, eightGaussians(new Rng(3), 2000, ALL, NOISE), 2, 5);
        assertTrue(full.recall() > 0.95 && full.precision() > 0.95, full.toString());
    }

    @Test
    void uniformNoiseSamplesLowerPrecisionAndDensityNotRecall() {
        double[] real = eightGaussians(new Rng(1), 2000, ALL, NOISE);
        double[] clean = eightGaussians(new Rng(4), 2000, ALL, NOISE);
        double[] noisy = clean.clone();
        Rng rng = new Rng(5);
        for (int i = 0; i < 600; i++) { // 30% of the samples uniform over the square around the data
            noisy[2 * i] = -5 + 10 * rng.nextDouble();
            noisy[2 * i + 1] = -5 + 10 * rng.nextDouble();
        }
        Prdc.Result a = Prdc.compute(real, clean, 2, 5);
        Prdc.Result b = Prdc.compute(real, noisy, 2, 5);
        assertTrue(b.precision() < a.precision() - 0.15, a.precision() + " -> " + b.precision());
        assertTrue(b.density() < a.density() - 0.15, a.density() + " -> " + b.density());
        assertTrue(b.recall() > 0.9, "recall " + b.recall());
    }
}
