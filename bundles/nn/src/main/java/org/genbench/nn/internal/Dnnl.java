package org.genbench.nn.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Convolutions through oneDNN (see {@code dnnl.c}): plans by shape, kept per thread (a plan holds buffers and a stream
 * that one thread uses at a time), the least recently used freed beyond {@link #MAX_PLANS}.
 */
public final class Dnnl {
    private static final int MAX_PLANS = 48;

    /** A convolution's shape: everything a plan depends on. */
    public record Key(boolean transposed, int n, int c, int h, int w, int o, int kh, int kw, int stride, int pad,
                      int outPad, boolean bias) {
    }

    private static final ThreadLocal<Map<Key, Long>> PLANS = ThreadLocal.withInitial(Dnnl::plansOfThisThread);

    /**
     * A thread's plans. OpenMP's thread count belongs to the thread that starts parallel work, so each thread that
     * convolves applies the host's setting ({@code genbench.threads}) once.
     */
    private static Map<Key, Long> plansOfThisThread() {
        Integer threads = Integer.getInteger("genbench.threads");
        if (threads != null && threads > 0) {
            Native.setDnnlThreads(threads);
        }
        return new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                    if (size() > MAX_PLANS) {
                        if (eldest.getValue() > 0) {
                            Native.convFree(eldest.getValue());
                        }
                        return true;
                    }
                    return false;
                }
            };
    }

    private Dnnl() {
    }

    /** The plan for {@code key}, or 0 when oneDNN is unavailable or has no primitive for it (use the Java path). */
    public static long plan(Key key) {
        if (!Native.dnnlAvailable()) {
            return 0;
        }
        Map<Key, Long> plans = PLANS.get();
        Long p = plans.get(key);
        if (p == null) {
            p = Native.convPlan(key.transposed(), key.n(), key.c(), key.h(), key.w(), key.o(), key.kh(), key.kw(),
                    key.stride(), key.pad(), key.outPad(), key.bias());
            plans.put(key, p > 0 ? p : 0L);
        }
        return p > 0 ? p : 0;
    }

    /** Which kernels oneDNN chose for the plan (for diagnostics). */
    public static String implementation(long plan) {
        return Native.convImpl(plan);
    }

    public static void forward(long plan, float[] x, float[] w, float[] b, float[] y) {
        check(Native.convForward(plan, x, w, b, y), "forward");
    }

    public static void backward(long plan, float[] x, float[] w, float[] gy, float[] gx, boolean gxAdd, float[] gw,
                                boolean gwAdd, float[] gb, boolean gbAdd) {
        check(Native.convBackward(plan, x, w, gy, gx, gxAdd, gw, gwAdd, gb, gbAdd), "backward");
    }

    private static void check(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("oneDNN convolution " + what + " failed with status " + status);
        }
    }
}
