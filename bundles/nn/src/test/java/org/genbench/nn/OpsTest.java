package org.genbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genbench.api.Rng;
import org.genbench.nn.internal.FloatMath;
import org.genbench.nn.internal.Native;
import org.junit.jupiter.api.Test;

/**
 * Forward values against direct definitions written independently here (naive loops in double precision), float32
 * against float64, and the memory rules of scopes.
 */
class OpsTest {

    static NdArray rand(long seed, DType t, int... shape) {
        return NdArray.randn(new Rng(seed), t, 1.0, shape);
    }

    @Test
    void nativeKernelsAreLoadedOnThisMachine() {
        // CI and the developer machines build the kernels with gcc; a silent fallback would hide a 10x slowdown
        assertTrue(Native.available(), Native.status());
        assertTrue(Native.coreName() != null && !Native.coreName().isBlank(), "OpenBLAS core name");
    }

    @Test
    void vectorizedTranscendentalsMatchJava() {
        int n = 1000;
        float[] x = new float[n];
        Rng rng = new Rng(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * 8);
        }
        x[0] = 0;
        x[1] = -90;
        x[2] = 90;
        int[] ops = {Native.EXP, Native.TANH, Native.SIGMOID, Native.SOFTPLUS, Native.SIN, Native.COS, Native.EXPM1};
        for (int op : ops) {
            float[] y = new float[n];
            FloatMath.unary(op, x, 0, y, 0, n);
            for (int i = 0; i < n; i++) {
                double want = FloatMath.apply(op, x[i]);
                double tol = 4 * Math.ulp((float) want) + 1e-30;
                assertEquals(want, y[i], Math.max(tol, Math.abs(want) * 4e-7), "op " + op + " at " + x[i]);
            }
        }
        float[] pos = new float[n];
        for (int i = 0; i < n; i++) {
            pos[i] = Math.abs(x[i]) + 1e-3f;
        }
        float[] y = new float[n];
        FloatMath.unary(Native.LOG, pos, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Math.log(pos[i]), y[i], 4e-7 * Math.max(1, Math.abs(Math.log(pos[i]))));
        }
    }

    @Test
    void convolutionMatchesTheDefinition() {
        for (DType t : DType.values()) {
            NdArray x = rand(1, t, 2, 3, 7, 6);
            NdArray w = rand(2, t, 4, 3, 3, 3);
            NdArray b = rand(3, t, 4);
            for (int stride : new int[] {1, 2}) {
                for (int pad : new int[] {0, 1, 2}) {
                    NdArray y = Conv.conv2d(x, w, b, stride, pad);
                    int oh = (7 + 2 * pad - 3) / stride + 1;
                    int ow = (6 + 2 * pad - 3) / stride + 1;
                    assertArrayEquals(new int[] {2, 4, oh, ow}, y.shape());
                    for (int n = 0; n < 2; n++) {
                        for (int o = 0; o < 4; o++) {
                            for (int i = 0; i < oh; i++) {
                                for (int j = 0; j < ow; j++) {
                                    double acc = b.get(o);
                                    for (int c = 0; c < 3; c++) {
                                        for (int ki = 0; ki < 3; ki++) {
                                            for (int kj = 0; kj < 3; kj++) {
                                                int yi = i * stride - pad + ki;
                                                int xj = j * stride - pad + kj;
                                                if (yi >= 0 && yi < 7 && xj >= 0 && xj < 6) {
                                                    acc += x.get(n, c, yi, xj) * w.get(o, c, ki, kj);
                                                }
                                            }
                                        }
                                    }
                                    assertEquals(acc, y.get(n, o, i, j), t == DType.F32 ? 1e-4 : 1e-12);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void transposedConvolutionMatchesTheDefinition() {
        // y[n, o, i s - p + ki, j s - p + kj] += x[n, c, i, j] w[c, o, ki, kj] (PyTorch's ConvTranspose2d)
        NdArray x = rand(4, DType.F64, 2, 3, 4, 5);
        NdArray w = rand(5, DType.F64, 3, 2, 4, 4);
        NdArray b = rand(6, DType.F64, 2);
        int s = 2;
        int p = 1;
        int op = 1;
        NdArray y = Conv.convTranspose2d(x, w, b, s, p, op);
        int oh = (4 - 1) * s - 2 * p + 4 + op;
        int ow = (5 - 1) * s - 2 * p + 4 + op;
        assertArrayEquals(new int[] {2, 2, oh, ow}, y.shape());
        double[][][][] want = new double[2][2][oh][ow];
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 2; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        want[n][o][i][j] = b.get(o);
                    }
                }
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 5; j++) {
                            for (int ki = 0; ki < 4; ki++) {
                                for (int kj = 0; kj < 4; kj++) {
                                    int yi = i * s - p + ki;
                                    int yj = j * s - p + kj;
                                    if (yi >= 0 && yi < oh && yj >= 0 && yj < ow) {
                                        want[n][o][yi][yj] += x.get(n, c, i, j) * w.get(c, o, ki, kj);
                                    }
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        assertEquals(want[n][o][i][j], y.get(n, o, i, j), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void linearAndMatmulMatchTheDefinition() {
        for (DType t : DType.values()) {
            NdArray x = rand(7, t, 5, 4);
            NdArray w = rand(8, t, 3, 4);
            NdArray b = rand(9, t, 3);
            NdArray y = F.linear(x, w, b);
            NdArray at = F.matmul(w, x, false, true); // [3, 5]
            for (int i = 0; i < 5; i++) {
                for (int o = 0; o < 3; o++) {
                    double acc = b.get(o);
                    for (int k = 0; k < 4; k++) {
                        acc += x.get(i, k) * w.get(o, k);
                    }
                    assertEquals(acc, y.get(i, o), t == DType.F32 ? 1e-5 : 1e-13);
                    assertEquals(acc - b.get(o), at.get(o, i), t == DType.F32 ? 1e-5 : 1e-13);
                }
            }
        }
    }

    @Test
    void float32AgreesWithFloat64() {
        NdArray x64 = rand(10, DType.F64, 3, 2, 6, 6);
        NdArray x32 = x64.to(DType.F32);
        NdArray[] a = {F.silu(x64), Norm.groupNorm(x64, 2, null, null, 1e-5), F.softplus(x64), F.logSoftmax(x64, 1),
            Conv.avgPool2d(x64, 2)};
        NdArray[] b = {F.silu(x32), Norm.groupNorm(x32, 2, null, null, 1e-5), F.softplus(x32), F.logSoftmax(x32, 1),
            Conv.avgPool2d(x32, 2)};
        for (int k = 0; k < a.length; k++) {
            for (int i = 0; i < a[k].size(); i++) {
                assertEquals(a[k].getFlat(i), b[k].getFlat(i), 1e-5 * Math.max(1, Math.abs(a[k].getFlat(i))));
            }
        }
    }

    @Test
    void normalizationsHaveZeroMeanAndUnitVariance() {
        NdArray x = F.add(F.mul(rand(11, DType.F64, 8, 3, 4, 4), 5.0), 2.0);
        NdArray y = Norm.batchNorm(x, null, null, null, null, true, 0.1, 0);
        for (int c = 0; c < 3; c++) {
            double s = 0;
            double ss = 0;
            for (int n = 0; n < 8; n++) {
                for (int i = 0; i < 16; i++) {
                    double v = y.getFlat((n * 3 + c) * 16 + i);
                    s += v;
                    ss += v * v;
                }
            }
            assertEquals(0, s / 128, 1e-12);
            assertEquals(1, ss / 128, 1e-9);
        }
    }

    @Test
    void squeezeIsInvertedByUnsqueeze() {
        NdArray x = rand(12, DType.F32, 2, 3, 4, 6);
        NdArray s = Conv.squeeze2d(x);
        assertArrayEquals(new int[] {2, 12, 2, 3}, s.shape());
        // channel c*4 + 2*di + dj holds pixel (2i + di, 2j + dj) of channel c
        assertEquals(x.get(1, 2, 3, 5), s.get(1, 2 * 4 + 2 + 1, 1, 2));
        assertArrayEquals(x.toFloatArray(), Conv.unsqueeze2d(s).toFloatArray());
    }

    @Test
    void categoricalLogLikelihoodIsTheLogSoftmaxAtTheValue() {
        NdArray logits = rand(13, DType.F32, 2, 256, 3);
        int[][] v = {{0, 255, 17}, {128, 3, 3}};
        NdArray ll = Losses.categoricalLogLik(logits, v);
        for (int r = 0; r < 2; r++) {
            double want = 0;
            for (int p = 0; p < 3; p++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 256; k++) {
                    m = Math.max(m, logits.get(r, k, p));
                }
                double s = 0;
                for (int k = 0; k < 256; k++) {
                    s += Math.exp(logits.get(r, k, p) - m);
                }
                want += logits.get(r, v[r][p], p) - m - Math.log(s);
            }
            assertEquals(want, ll.get(r), 1e-4);
        }
    }

    @Test
    void discretizedLogisticSumsToOneOverTheBins() {
        // with 256 bins the probabilities of all values of one sub-pixel add up to 1
        double total = 0;
        NdArray mean = NdArray.wrap(new double[] {0.13}, 1, 1);
        NdArray logScale = NdArray.wrap(new double[] {Math.log(0.05)}, 1, 1);
        for (int v = 0; v < 256; v++) {
            NdArray x = NdArray.wrap(new double[] {2.0 * v / 255 - 1}, 1, 1);
            total += Math.exp(Losses.discretizedLogisticLogLik(x, mean, logScale, 256).item());
        }
        assertEquals(1, total, 1e-9);
    }

    @Test
    void scopesHandStorageBackAndRefuseUseAfterwards() {
        NdArray kept;
        NdArray dropped;
        float[] storage;
        try (Scope s = Scope.open()) {
            dropped = NdArray.zeros(DType.F32, 1000);
            storage = dropped.f();
            NdArray view = dropped.reshape(10, 100);
            kept = Scope.keep(F.add(dropped, 1.0));
            assertSame(storage, view.f());
        }
        assertEquals(1.0, kept.getFlat(999));
        assertThrows(IllegalStateException.class, dropped::f);
        // the next scope of this thread reuses the storage: a step allocates nothing after the first
        try (Scope s = Scope.open()) {
            assertSame(storage, NdArray.zeros(DType.F32, 1000).f());
        }
    }

    @Test
    void gradientsFlowOnlyInsideARecordingGraph() {
        NdArray w = NdArray.parameter("w", NdArray.wrap(new double[] {2, 3}, 2));
        try (Scope s = Scope.open()) {
            NdArray y = F.sum(F.mul(w, w));
            assertThrows(IllegalStateException.class, y::backward);
        }
        try (Graph g = Graph.record()) {
            NdArray y = F.sum(F.mul(w, w));
            y.backward();
            assertArrayEquals(new double[] {4, 6}, w.grad().toDoubleArray());
            try (Scope ng = Scope.noGrad()) {
                assertNull(F.mul(w, 2.0).grad());
            }
        }
        // gradients accumulate until cleared, as in PyTorch
        try (Graph g = Graph.record()) {
            F.sum(w).backward();
        }
        assertArrayEquals(new double[] {5, 7}, w.grad().toDoubleArray());
        w.clearGrad();
        assertNull(w.grad());
        w.setRequiresGrad(false);
        try (Graph g = Graph.record()) {
            NdArray y = F.sum(F.mul(w, w));
            assertThrows(IllegalStateException.class, y::backward);
        }
    }

    @Test
    void inputsOnlyGraphsLeaveParametersAlone() {
        NdArray w = NdArray.parameter("w", NdArray.wrap(new double[] {2, 3}, 2));
        NdArray x = NdArray.wrap(new double[] {1, -1}, 2);
        try (Graph g = Graph.recordInputsOnly()) {
            NdArray xi = g.input(x);
            F.sum(F.mul(F.mul(w, xi), xi)).backward();
            assertArrayEquals(new double[] {4, -6}, xi.grad().toDoubleArray());
        }
        assertNull(w.grad());
    }

    @Test
    void badShapesAreRefusedWithTheShapes() {
        NdArray a = NdArray.zeros(DType.F32, 3, 4);
        NdArray b = NdArray.zeros(DType.F32, 5, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.add(a, b));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[5, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F.matmul(a, b));
        assertThrows(IllegalArgumentException.class, () -> F.add(a, NdArray.zeros(DType.F64, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(5, -1));
    }
}
