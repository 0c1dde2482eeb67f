package org.genbench.nn.internal;

import java.util.Arrays;

/**
 * How two row-major arrays line up under NumPy broadcasting: the output shape, and each operand's strides over it
 * (0 along broadcast dimensions), with adjacent dimensions merged wherever both operands run contiguously (or both
 * stand still) across them, so that the innermost loop is as long as possible. A bias of shape {@code [c, 1, 1]} over
 * {@code [n, c, h, w]} becomes {@code n*c} runs of {@code h*w} against one bias value.
 */
public final class Bcast {
    /** Merged output shape (at least one dimension). */
    public final int[] shape;
    public final int[] strideA;
    public final int[] strideB;
    public final int size;

    private Bcast(int[] shape, int[] strideA, int[] strideB) {
        this.shape = shape;
        this.strideA = strideA;
        this.strideB = strideB;
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        this.size = n;
    }

    /** The broadcast shape of {@code a} and {@code b}; fails with both shapes when they do not broadcast. */
    public static int[] shapeOf(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The plan for an output of shape {@code out} read from operands of shapes {@code a} and {@code b}. */
    public static Bcast of(int[] out, int[] a, int[] b) {
        int[] sa = strides(out, a);
        int[] sb = strides(out, b);
        int[] shape = new int[Math.max(out.length, 1)];
        int[] ma = new int[shape.length];
        int[] mb = new int[shape.length];
        int k = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 1) {
                continue; // a dimension of one element moves nothing
            }
            // merge dimension i into the current one when both operands continue contiguously (or both broadcast)
            if (k >= 0 && ma[k] == sa[i] * out[i] && mb[k] == sb[i] * out[i]) {
                shape[k] *= out[i];
            } else {
                k++;
                shape[k] = out[i];
            }
            ma[k] = sa[i];
            mb[k] = sb[i];
        }
        if (k < 0) { // a scalar, or every dimension 1
            return new Bcast(new int[] {1}, new int[] {1}, new int[] {1});
        }
        return new Bcast(Arrays.copyOf(shape, k + 1), Arrays.copyOf(ma, k + 1), Arrays.copyOf(mb, k + 1));
    }

    private static int[] strides(int[] out, int[] x) {
        int r = out.length;
        int[] s = new int[r];
        int stride = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - x.length);
            int dim = j < 0 ? 1 : x[j];
            s[i] = dim == 1 && out[i] != 1 ? 0 : stride;
            stride *= dim;
        }
        return s;
    }

    /** The inner loop of a plan: {@code n} elements; operand offsets and strides (0 or the contiguous stride). */
    @FunctionalInterface
    public interface Inner {
        void run(int outOffset, int aOffset, int aStride, int bOffset, int bStride, int n);
    }

    /** Calls {@code inner} once per run of the innermost merged dimension, in output order. */
    public void forEach(Inner inner) {
        int r = shape.length;
        int n = shape[r - 1];
        int as = strideA[r - 1];
        int bs = strideB[r - 1];
        if (n == 0 || size == 0) {
            return;
        }
        if (r == 1) {
            inner.run(0, 0, as, 0, bs, n);
            return;
        }
        int[] idx = new int[r - 1];
        int ao = 0;
        int bo = 0;
        for (int out = 0; out < size; out += n) {
            inner.run(out, ao, as, bo, bs, n);
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                ao += strideA[d];
                bo += strideB[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                ao -= strideA[d] * shape[d];
                bo -= strideB[d] * shape[d];
                idx[d] = 0;
            }
        }
    }
}
