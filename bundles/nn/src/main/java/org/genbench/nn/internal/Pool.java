package org.genbench.nn.internal;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Arrays of one thread that finished scopes gave back, by length, for the next step to reuse: a training step
 * allocates the same shapes every time, so after the first step it allocates nothing. Held softly, so that memory a
 * finished run no longer needs goes back to the collector when the heap is short.
 */
public final class Pool {
    private static final ThreadLocal<Pool> CURRENT = ThreadLocal.withInitial(Pool::new);

    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> floats = new HashMap<>();
    private final Map<Integer, ArrayDeque<SoftReference<double[]>>> doubles = new HashMap<>();

    public static Pool current() {
        return CURRENT.get();
    }

    /** A float array of length n; its contents are arbitrary unless {@code zero}. */
    public float[] floats(int n, boolean zero) {
        ArrayDeque<SoftReference<float[]>> q = floats.get(n);
        while (q != null && !q.isEmpty()) {
            float[] a = q.pop().get();
            if (a != null) {
                if (zero) {
                    java.util.Arrays.fill(a, 0f);
                }
                return a;
            }
        }
        return new float[n];
    }

    public double[] doubles(int n, boolean zero) {
        ArrayDeque<SoftReference<double[]>> q = doubles.get(n);
        while (q != null && !q.isEmpty()) {
            double[] a = q.pop().get();
            if (a != null) {
                if (zero) {
                    java.util.Arrays.fill(a, 0d);
                }
                return a;
            }
        }
        return new double[n];
    }

    public void release(float[] a) {
        floats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new SoftReference<>(a));
    }

    public void release(double[] a) {
        doubles.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new SoftReference<>(a));
    }

    /** Drops everything this thread holds (a model that closes calls it). */
    public void clear() {
        floats.clear();
        doubles.clear();
    }
}
