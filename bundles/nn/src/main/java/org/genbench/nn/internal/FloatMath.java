package org.genbench.nn.internal;

/**
 * Transcendental functions over float arrays: vectorized natively when {@link Native#available()}, else scalar Java.
 * Below {@link #NATIVE_MIN} elements the JNI call costs more than it saves.
 */
public final class FloatMath {
    static final int NATIVE_MIN = 64;

    private FloatMath() {
    }

    /** y[yOff + i] = f(x[xOff + i]) for i < n, f one of {@link Native}'s operation codes; x and y may be the same. */
    public static void unary(int op, float[] x, int xOff, float[] y, int yOff, int n) {
        if (n >= NATIVE_MIN && Native.available()) {
            Native.unary(op, x, xOff, y, yOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) apply(op, x[xOff + i]);
        }
    }

    /** y = x > 0 ? x : slope x (ReLU at slope 0). */
    public static void leakyRelu(float[] x, float[] y, int n, float slope) {
        if (n >= NATIVE_MIN && Native.available()) {
            Native.leakyRelu(x, y, n, slope);
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = v > 0 ? v : slope * v;
        }
    }

    /** out (+)= x > 0 ? g : slope g. */
    public static void leakyReluBackward(float[] x, float[] g, float[] out, int n, float slope, boolean add) {
        if (n >= NATIVE_MIN && Native.available()) {
            Native.leakyReluBackward(x, g, out, n, slope, add);
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = x[i] > 0 ? g[i] : slope * g[i];
            out[i] = add ? out[i] + v : v;
        }
    }

    /** softplus and sigmoid of the same values, from one exponential each. */
    public static void softplusSigmoid(float[] x, int xOff, float[] sp, int spOff, float[] sg, int sgOff, int n) {
        if (n >= NATIVE_MIN && Native.available()) {
            Native.softplusSigmoid(x, xOff, sp, spOff, sg, sgOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            sp[spOff + i] = (float) apply(Native.SOFTPLUS, v);
            sg[sgOff + i] = (float) apply(Native.SIGMOID, v);
        }
    }

    /** The scalar definition each code stands for, in double precision (also the float64 path). */
    public static double apply(int op, double v) {
        switch (op) {
            case Native.EXP:
                return Math.exp(v);
            case Native.LOG:
                return Math.log(v);
            case Native.LOG1P:
                return Math.log1p(v);
            case Native.EXPM1:
                return Math.expm1(v);
            case Native.TANH:
                return Math.tanh(v);
            case Native.SIGMOID: {
                double e = Math.exp(-Math.abs(v));
                return v >= 0 ? 1 / (1 + e) : e / (1 + e);
            }
            case Native.SOFTPLUS:
                return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
            case Native.SIN:
                return Math.sin(v);
            case Native.COS:
                return Math.cos(v);
            default:
                throw new IllegalArgumentException("unknown operation " + op);
        }
    }
}
