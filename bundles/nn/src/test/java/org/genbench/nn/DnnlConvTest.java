package org.genbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;
import org.genbench.api.Rng;
import org.genbench.nn.internal.Dnnl;
import org.genbench.nn.internal.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Float32 convolutions run through oneDNN; float64 ones through the Java path, which the gradient checks cover. The
 * two must agree: outputs and every gradient, including gradients added to existing ones.
 */
class DnnlConvTest {
    @Test
    void oneDnnIsLoadedOnThisMachine() {
        assertTrue(Native.dnnlAvailable(), Native.dnnlStatus());
        long plan = Dnnl.plan(new Dnnl.Key(false, 2, 3, 8, 8, 4, 3, 3, 1, 1, 0, true));
        assertTrue(plan > 0, "a plan for a plain 3x3 convolution");
        assertTrue(Dnnl.implementation(plan).contains("forward"), Dnnl.implementation(plan));
    }

    @ParameterizedTest
    @CsvSource({
        "false, 3, 4, 3, 1, 1, 0, true", "false, 1, 6, 4, 2, 1, 0, true", "false, 5, 2, 4, 2, 0, 0, false",
        "false, 4, 4, 1, 1, 0, 0, true", "false, 2, 3, 5, 3, 2, 0, true",
        "true, 4, 3, 4, 2, 1, 0, true", "true, 3, 1, 4, 2, 1, 1, false", "true, 2, 5, 3, 1, 1, 0, true",
        "true, 6, 2, 3, 2, 0, 1, true"})
    void agreesWithTheFloat64PathForwardAndBackward(boolean transposed, int c, int o, int k, int stride, int pad,
                                                     int outPad, boolean withBias) {
        Rng rng = new Rng(c * 31 + o * 7 + k);
        int n = 3;
        int h = 7;
        int w = 6;
        NdArray x = NdArray.randn(rng, DType.F64, 1, n, c, h, w);
        NdArray weight = transposed ? NdArray.randn(rng, DType.F64, 0.5, c, o, k, k) : NdArray.randn(rng, DType.F64, 0.5, o, c, k, k);
        NdArray bias = withBias ? NdArray.randn(rng, DType.F64, 1, o) : null;
        BiFunction<NdArray[], Boolean, NdArray> conv = (a, t) -> t
                ? Conv.convTranspose2d(a[0], a[1], a[2], stride, pad, outPad)
                : Conv.conv2d(a[0], a[1], a[2], stride, pad);
        double[][] want = run(conv, transposed, x, weight, bias, DType.F64);
        double[][] got = run(conv, transposed, x, weight, bias, DType.F32);
        String[] what = {"output", "d x", "d weight", "d bias"};
        for (int i = 0; i < want.length; i++) {
            if (want[i] == null) {
                continue;
            }
            assertEquals(want[i].length, got[i].length, what[i]);
            double scale = 1e-30;
            for (double v : want[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < want[i].length; j++) {
                assertEquals(want[i][j], got[i][j], 2e-5 * scale, what[i] + "[" + j + "]");
            }
        }
    }

    /** Output, and gradients of sum(y * r) accumulated twice (so the second pass adds to the first). */
    private static double[][] run(BiFunction<NdArray[], Boolean, NdArray> conv, boolean transposed, NdArray x0,
                                  NdArray w0, NdArray b0, DType t) {
        NdArray w = NdArray.parameter("w", w0.to(t));
        NdArray b = b0 == null ? null : NdArray.parameter("b", b0.to(t));
        double[] out;
        double[] gx;
        try (Graph g = Graph.record()) {
            NdArray x = g.input(x0.to(t));
            NdArray y = conv.apply(new NdArray[] {x, w, b}, transposed);
            NdArray r = NdArray.randn(new Rng(9), t, 1, y.shape());
            // y used twice: the second use's gradient is added to the first's in x, w and b
            F.add(F.sum(F.mul(y, r)), F.mul(F.sum(F.mul(conv.apply(new NdArray[] {x, w, b}, transposed), r)), 0.5)).backward();
            out = y.toDoubleArray();
            gx = x.grad().toDoubleArray();
        }
        return new double[][] {out, gx, w.grad().toDoubleArray(), b == null ? null : b.grad().toDoubleArray()};
    }
}
