package org.genbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.Made;
import org.junit.jupiter.api.Test;

class MadeTest {
    /**
     * The autoregressive property by perturbation: output j of input d moves when input e moves exactly when e comes
     * before d in the order (for a net wide enough that every such path exists), never otherwise.
     */
    @Test
    void anOutputDependsOnExactlyTheInputsBeforeItInTheOrder() {
        int d = 6;
        for (long seed = 1; seed <= 3; seed++) {
            Made made = new Made(d, new int[] {40, 40}, 2, Activation.TANH, DType.F64, new Rng(seed));
            if (seed > 1) {
                made.resample(new Rng(100 + seed));
            }
            int[] deg = made.inputDegrees();
            double[] x = NdArray.randn(new Rng(seed), DType.F64, 1, 1, d).toDoubleArray();
            double[] base = made.forward(NdArray.wrap(x.clone(), 1, d)).toDoubleArray();
            for (int e = 0; e < d; e++) {
                double[] moved = x.clone();
                moved[e] += 0.7;
                double[] out = made.forward(NdArray.wrap(moved, 1, d)).toDoubleArray();
                for (int j = 0; j < 2; j++) {
                    for (int t = 0; t < d; t++) {
                        boolean changed = out[j * d + t] != base[j * d + t];
                        assertEquals(deg[e] < deg[t], changed, "seed " + seed + ": output " + j + " of input " + t
                                + " (degree " + deg[t] + ") and input " + e + " (degree " + deg[e] + ")");
                    }
                }
            }
        }
    }

    @Test
    void incrementalEvaluationGivesTheForwardPassesOutputsPositionByPosition() {
        int d = 7;
        int n = 3;
        Made made = new Made(d, new int[] {20, 15}, 3, Activation.RELU, DType.F64, new Rng(9));
        made.resample(new Rng(10));
        double[] x = NdArray.randn(new Rng(11), DType.F64, 1, n, d).toDoubleArray();
        double[] full = made.forward(NdArray.wrap(x.clone(), n, d)).toDoubleArray();
        Made.Incremental inc = made.incremental(n);
        int[] order = made.order();
        for (int i = 0; i < d; i++) {
            assertEquals(i, inc.step());
            int dim = inc.inputAt(i);
            assertEquals(order[i], dim);
            double[] out = inc.outputs();
            double[] values = new double[n];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(full[r * 3 * d + j * d + dim], out[r * 3 + j], 1e-12, "row " + r + " step " + i);
                }
                values[r] = x[r * d + dim];
            }
            inc.set(values);
        }
        assertArrayEquals(x, inc.inputs(), 0);
        assertThrows(IllegalStateException.class, () -> inc.set(new double[n]));
    }

    /** Regression: a mask replaced between forward and backward (an ensemble in one graph) corrupted the gradient. */
    @Test
    void anEnsembleOfMasksInOneGraphHasTheRightGradient() {
        Made made = new Made(4, new int[] {9}, 1, Activation.TANH, DType.F64, new Rng(21));
        NdArray x = NdArray.wrap(NdArray.randn(new Rng(22), DType.F64, 1, 3, 4).toDoubleArray(), 3, 4);
        org.genbench.nn.check.GradCheck.assertClose(org.genbench.nn.check.GradCheck.check(made.parameters(),
                java.util.List.of(), in -> {
                    made.resample(new Rng(23));
                    NdArray a = F.sum(F.square(made.forward(x)));
                    made.resample(new Rng(24));
                    return F.add(a, F.sum(made.forward(x)));
                }, 3, 1e-5, 25), 1e-6);
    }

    @Test
    void ordersAreSavedAsBuffersAndResamplingChangesThem() {
        Made a = new Made(5, new int[] {8}, 1, Activation.RELU, DType.F32, new Rng(1));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, a.order());
        // deterministic degrees cycle through 1..D-1
        assertArrayEquals(new int[] {1, 2, 3, 4, 1, 2, 3, 4}, a.degrees(0));
        a.resample(new Rng(2));
        int[] order = a.order();
        assertNotEquals(Arrays.toString(new int[] {0, 1, 2, 3, 4}), Arrays.toString(order));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, sorted);
        Made b = new Made(5, new int[] {8}, 1, Activation.RELU, DType.F32, new Rng(3));
        b.load(a.state());
        assertArrayEquals(order, b.order());
        assertArrayEquals(a.degrees(0), b.degrees(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.connect(new int[] {0, 1, 1, 3, 4}, null))
                .getMessage().contains("permutation"));
    }
}
