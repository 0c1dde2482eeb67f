package org.genbench.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static JsonNode reference() throws IOException {
        try (InputStream in = ClassifierTest.class.getResourceAsStream("/logistic_probe_reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /**
     * The linear probe is multinomial logistic regression: trained long enough, it reaches the optimum of the convex
     * objective that scikit-learn's L-BFGS finds (datasets/reference/logistic_probe.py), from above, and the same
     * test accuracy. One feature sits near 100: without standardization Adam would not get there in this budget.
     */
    @Test
    void theLinearProbeReachesScikitLearnsOptimum() throws IOException {
        JsonNode ref = reference();
        int d = ref.path("d").asInt();
        float[] x = floats(ref.path("x_train"));
        int[] y = ints(ref.path("y_train"));
        Classifier.Recipe recipe = new Classifier.Recipe(List.of(), 400, 600, 0.05, 0, Classifier.INPUTS_STANDARDIZE);
        Classifier probe = Classifier.train(x, y, d, 3, recipe, new Rng(5));
        double optimum = ref.path("train_cross_entropy_at_optimum").asDouble();
        double reached = probe.crossEntropy(x, y);
        assertTrue(reached >= optimum - 1e-5, "below the optimum: " + reached + " < " + optimum);
        assertEquals(optimum, reached, 2e-4, "mean cross-entropy at the end of training");
        assertEquals(ref.path("test_accuracy_at_optimum").asDouble(),
                probe.accuracy(floats(ref.path("x_test")), ints(ref.path("y_test"))), 0.01);
    }

    @Test
    void anMlpSeparatesWhatALinearClassifierCannot() {
        // XOR of the signs of two coordinates: no linear boundary does better than chance
        Rng rng = new Rng(7);
        int n = 2000;
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (2 * rng.nextDouble() - 1);
            x[2 * i + 1] = (float) (2 * rng.nextDouble() - 1);
            y[i] = (x[2 * i] > 0) ^ (x[2 * i + 1] > 0) ? 1 : 0;
        }
        Classifier mlp = Classifier.train(x, y, 2, 2,
                new Classifier.Recipe(List.of(32), 60, 64, 1e-2, 0, Classifier.INPUTS_NONE), new Rng(1));
        Classifier linear = Classifier.train(x, y, 2, 2,
                new Classifier.Recipe(List.of(), 60, 64, 1e-2, 0, Classifier.INPUTS_NONE), new Rng(1));
        assertTrue(mlp.accuracy(x, y) > 0.95, "MLP accuracy " + mlp.accuracy(x, y));
        assertTrue(linear.accuracy(x, y) < 0.7, "linear accuracy " + linear.accuracy(x, y));
    }

    @Test
    void theSameSeedGivesTheSameClassifier() {
        Rng rng = new Rng(3);
        float[] x = new float[300];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[3 * i + j] = (float) (rng.nextGaussian() + (j == y[i] ? 2 : 0));
            }
        }
        Classifier.Recipe r = new Classifier.Recipe(List.of(8), 5, 16, 1e-2, 0, Classifier.INPUTS_NONE);
        double[] a = Classifier.train(x, y, 3, 3, r, new Rng(11)).probabilities(x);
        double[] b = Classifier.train(x, y, 3, 3, r, new Rng(11)).probabilities(x);
        double[] c = Classifier.train(x, y, 3, 3, r, new Rng(12)).probabilities(x);
        assertArrayEquals(a, b);
        assertTrue(!java.util.Arrays.equals(a, c), "another seed, another classifier");
    }

    @Test
    void badRecipesAndLabelsAreRefusedByName() {
        assertEquals("epochs must be in 1..10000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new Classifier.Recipe(List.of(), 0, 1, 1e-3, 0, "none")).getMessage());
        assertEquals("inputs must be one of [none, pixels, standardize], was 'raw'", assertThrows(
                IllegalArgumentException.class, () -> new Classifier.Recipe(List.of(), 1, 1, 1e-3, 0, "raw")).getMessage());
        assertEquals("label 3 at row 1 is not a class in 0..2", assertThrows(IllegalArgumentException.class,
                () -> Classifier.train(new float[] {0, 1}, new int[] {0, 3}, 1, 3, Classifier.Recipe.featureNetworkMlp(),
                        new Rng(1))).getMessage());
    }
}
