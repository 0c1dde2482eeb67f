package org.genbench.nn;

/**
 * What an op needs to take part in differentiation; for writing new ops (fused kernels in a model bundle). An op
 * computes its output, asks {@link #tracking} whether any input needs a gradient, and if so records a backward
 * function that adds each input's gradient with {@link #accumulate} (or writes it straight into
 * {@link #gradBuffer}, overwriting when {@link #gradFresh} and adding otherwise, then {@link #gradWritten}).
 *
 * <pre>{@code
 * NdArray y = ...forward...;
 * Graph g = Autograd.tracking(x, w);
 * if (g != null) {
 *     Autograd.record(g, "myop", y, gy -> {
 *         if (Autograd.needs(g, x)) Autograd.accumulate(g, x, dx(gy));
 *         if (Autograd.needs(g, w)) Autograd.accumulate(g, w, dw(gy));
 *     });
 * }
 * }</pre>
 */
public final class Autograd {
    private Autograd() {
    }

    /** The recording graph when one of {@code inputs} needs a gradient in it; null otherwise (then record nothing). */
    public static Graph tracking(NdArray... inputs) {
        Graph g = Scope.recording();
        if (g == null) {
            return null;
        }
        for (NdArray x : inputs) {
            if (g.needs(x)) {
                return g;
            }
        }
        return null;
    }

    /** The recording graph when {@code a} or {@code b} needs a gradient (no varargs array on the hot path). */
    public static Graph tracking(NdArray a, NdArray b) {
        Graph g = Scope.recording();
        return g != null && (g.needs(a) || g.needs(b)) ? g : null;
    }

    /** The recording graph when {@code a} needs a gradient. */
    public static Graph tracking(NdArray a) {
        Graph g = Scope.recording();
        return g != null && g.needs(a) ? g : null;
    }

    /** Records {@code out} as made by {@code op}, whose gradient {@code backward} propagates. Returns out. */
    public static NdArray record(Graph g, String op, NdArray out, Graph.Backward backward) {
        g.add(op, out, backward);
        return out;
    }

    /** True when {@code x} should receive a gradient in {@code g}. */
    public static boolean needs(Graph g, NdArray x) {
        return g.needs(x);
    }

    /** True when x has no gradient yet: {@link #gradBuffer}'s contents are then arbitrary and must be overwritten. */
    public static boolean gradFresh(NdArray x) {
        return x.grad == null || !x.gradValid;
    }

    /** x's gradient storage, shaped like x (allocated on first use; see {@link #gradFresh}). */
    public static NdArray gradBuffer(Graph g, NdArray x) {
        return g.gradBuffer(x);
    }

    /** Marks x's gradient buffer as written. */
    public static void gradWritten(NdArray x) {
        x.gradValid = true;
    }

    /** Adds {@code grad} (shaped like x) to x's gradient. */
    public static void accumulate(Graph g, NdArray x, NdArray grad) {
        if (grad.size() != x.size()) {
            throw new IllegalStateException("gradient of size " + grad.size() + " for an array of size " + x.size());
        }
        boolean fresh = gradFresh(x);
        NdArray buf = g.gradBuffer(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            float[] dst = buf.f();
            float[] src = grad.f();
            if (fresh) {
                System.arraycopy(src, 0, dst, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    dst[i] += src[i];
                }
            }
        } else {
            double[] dst = buf.d();
            double[] src = grad.d();
            if (fresh) {
                System.arraycopy(src, 0, dst, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    dst[i] += src[i];
                }
            }
        }
        x.gradValid = true;
    }
}
