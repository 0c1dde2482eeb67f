package org.genbench.nn;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.nn.internal.Bcast;
import org.genbench.nn.internal.Blas;
import org.genbench.nn.internal.FloatMath;
import org.genbench.nn.internal.Native;

/**
 * Differentiable operations on {@link NdArray}s: arithmetic with NumPy broadcasting, activations, reductions, shape
 * changes and matrix products. Every op allocates its output in the current {@link Scope} and records itself when a
 * {@link Graph} is recording and an input needs a gradient. Float32 paths are written for speed (BLAS products,
 * vectorized transcendentals, loops the JIT vectorizes); float64 paths are written for clarity and serve gradient
 * checks. Convolutions are in {@link Conv}, normalizations in {@link Norm}, likelihoods and losses in {@link Losses}.
 */
public final class F {
    private F() {
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static NdArray like(NdArray x) {
        return NdArray.allocate(x.dtype(), false, x.shape());
    }

    static void sameType(NdArray a, NdArray b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("mixed element types " + a.dtype() + " and " + b.dtype()
                    + "; convert one with to()");
        }
    }

    // ------------------------------------------------------------------------------------------------ binary, broadcasting

    private static final int ADD = 0;
    private static final int SUB = 1;
    private static final int MUL = 2;
    private static final int DIV = 3;

    /** a + b, broadcasting. */
    public static NdArray add(NdArray a, NdArray b) {
        return binary(ADD, "add", a, b);
    }

    /** a - b, broadcasting. */
    public static NdArray sub(NdArray a, NdArray b) {
        return binary(SUB, "sub", a, b);
    }

    /** a * b elementwise, broadcasting. */
    public static NdArray mul(NdArray a, NdArray b) {
        return binary(MUL, "mul", a, b);
    }

    /** a / b elementwise, broadcasting. */
    public static NdArray div(NdArray a, NdArray b) {
        return binary(DIV, "div", a, b);
    }

    private static NdArray binary(int op, String name, NdArray a, NdArray b) {
        sameType(a, b);
        int[] outShape = Bcast.shapeOf(a.shape(), b.shape());
        NdArray out = NdArray.allocate(a.dtype(), false, outShape);
        Bcast plan = Bcast.of(outShape, a.shape(), b.shape());
        compute(op, plan, a, b, out);
        Graph g = Autograd.tracking(a, b);
        if (g != null) {
            Autograd.record(g, name, out, gy -> {
                if (g.needs(a)) {
                    NdArray ga = switch (op) {
                        case ADD, SUB -> gy;
                        case MUL -> mulNoGrad(gy, b);
                        default -> divNoGrad(gy, b);
                    };
                    accumulateReduced(g, a, ga);
                }
                if (g.needs(b)) {
                    NdArray gb = switch (op) {
                        case ADD -> gy;
                        case SUB -> scaleNoGrad(gy, -1);
                        case MUL -> mulNoGrad(gy, a);
                        default -> {
                            // d(a/b)/db = -a / b^2 = -out / b
                            NdArray t = divNoGrad(out, b);
                            yield mulNoGrad(t, scaleNoGrad(gy, -1));
                        }
                    };
                    accumulateReduced(g, b, gb);
                }
            });
        }
        return out;
    }

    private static NdArray mulNoGrad(NdArray a, NdArray b) {
        int[] s = Bcast.shapeOf(a.shape(), b.shape());
        NdArray out = NdArray.allocate(a.dtype(), false, s);
        compute(MUL, Bcast.of(s, a.shape(), b.shape()), a, b, out);
        return out;
    }

    private static NdArray divNoGrad(NdArray a, NdArray b) {
        int[] s = Bcast.shapeOf(a.shape(), b.shape());
        NdArray out = NdArray.allocate(a.dtype(), false, s);
        compute(DIV, Bcast.of(s, a.shape(), b.shape()), a, b, out);
        return out;
    }

    private static NdArray scaleNoGrad(NdArray a, double c) {
        NdArray out = like(a);
        int n = a.size();
        if (a.dtype() == DType.F32) {
            float[] x = a.f();
            float[] y = out.f();
            float cf = (float) c;
            for (int i = 0; i < n; i++) {
                y[i] = x[i] * cf;
            }
        } else {
            double[] x = a.d();
            double[] y = out.d();
            for (int i = 0; i < n; i++) {
                y[i] = x[i] * c;
            }
        }
        return out;
    }

    private static void compute(int op, Bcast plan, NdArray a, NdArray b, NdArray out) {
        if (a.dtype() == DType.F32) {
            float[] x = a.f();
            float[] y = b.f();
            float[] o = out.f();
            plan.forEach((oo, ao, as, bo, bs, n) -> innerF(op, x, ao, as, y, bo, bs, o, oo, n));
        } else {
            double[] x = a.d();
            double[] y = b.d();
            double[] o = out.d();
            plan.forEach((oo, ao, as, bo, bs, n) -> {
                for (int i = 0; i < n; i++) {
                    double u = x[ao + i * as];
                    double v = y[bo + i * bs];
                    o[oo + i] = switch (op) {
                        case ADD -> u + v;
                        case SUB -> u - v;
                        case MUL -> u * v;
                        default -> u / v;
                    };
                }
            });
        }
    }

    private static void innerF(int op, float[] x, int ao, int as, float[] y, int bo, int bs, float[] o, int oo, int n) {
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] + y[bo + i];
                    }
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] - y[bo + i];
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] * y[bo + i];
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] / y[bo + i];
                    }
                }
            }
        } else if (bs == 0 && as == 1) {
            float v = y[bo];
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] + v;
                    }
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] - v;
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] * v;
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = x[ao + i] / v;
                    }
                }
            }
        } else if (as == 0 && bs == 1) {
            float u = x[ao];
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = u + y[bo + i];
                    }
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = u - y[bo + i];
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = u * y[bo + i];
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        o[oo + i] = u / y[bo + i];
                    }
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                float u = x[ao + i * as];
                float v = y[bo + i * bs];
                o[oo + i] = switch (op) {
                    case ADD -> u + v;
                    case SUB -> u - v;
                    case MUL -> u * v;
                    default -> u / v;
                };
            }
        }
    }

    /** Adds {@code grad} (the output's shape) to x's gradient, summed over the dimensions x was broadcast along. */
    static void accumulateReduced(Graph g, NdArray x, NdArray grad) {
        if (Arrays.equals(grad.shape(), x.shape()) || grad.size() == x.size()) {
            Autograd.accumulate(g, x, grad);
            return;
        }
        boolean fresh = Autograd.gradFresh(x);
        NdArray buf = Autograd.gradBuffer(g, x);
        if (fresh) {
            buf.fill(0);
        }
        reduceInto(grad, buf);
        Autograd.gradWritten(x);
    }

    /** dst += src summed over the dimensions along which dst broadcasts to src's shape. */
    static void reduceInto(NdArray src, NdArray dst) {
        Bcast plan = Bcast.of(src.shape(), src.shape(), dst.shape());
        if (src.dtype() == DType.F32) {
            float[] s = src.f();
            float[] d = dst.f();
            plan.forEach((oo, ao, as, bo, bs, n) -> {
                if (bs == 0) {
                    float acc = 0;
                    for (int i = 0; i < n; i++) {
                        acc += s[ao + i * as];
                    }
                    d[bo] += acc;
                } else {
                    for (int i = 0; i < n; i++) {
                        d[bo + i * bs] += s[ao + i * as];
                    }
                }
            });
        } else {
            double[] s = src.d();
            double[] d = dst.d();
            plan.forEach((oo, ao, as, bo, bs, n) -> {
                for (int i = 0; i < n; i++) {
                    d[bo + i * bs] += s[ao + i * as];
                }
            });
        }
    }

    /** x + c. */
    public static NdArray add(NdArray x, double c) {
        NdArray out = like(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            float[] a = x.f();
            float[] o = out.f();
            float cf = (float) c;
            for (int i = 0; i < n; i++) {
                o[i] = a[i] + cf;
            }
        } else {
            double[] a = x.d();
            double[] o = out.d();
            for (int i = 0; i < n; i++) {
                o[i] = a[i] + c;
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "add_scalar", out, gy -> Autograd.accumulate(g, x, gy));
        }
        return out;
    }

    /** x * c. */
    public static NdArray mul(NdArray x, double c) {
        NdArray out = scaleNoGrad(x, c);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "mul_scalar", out, gy -> Autograd.accumulate(g, x, scaleNoGrad(gy, c)));
        }
        return out;
    }

    /** c - x. */
    public static NdArray rsub(double c, NdArray x) {
        return add(mul(x, -1), c);
    }

    /** -x. */
    public static NdArray neg(NdArray x) {
        return mul(x, -1);
    }

    // ------------------------------------------------------------------------------------------------ unary

    /** An elementwise op: y = f(x), its derivative from x and y. */
    private interface Derivative {
        double of(double x, double y);
    }

    private static NdArray unary(String name, int nativeOp, NdArray x, Derivative dydx) {
        NdArray y = like(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            FloatMath.unary(nativeOp, x.f(), 0, y.f(), 0, n);
        } else {
            double[] a = x.d();
            double[] o = y.d();
            for (int i = 0; i < n; i++) {
                o[i] = FloatMath.apply(nativeOp, a[i]);
            }
        }
        recordUnary(name, x, y, dydx);
        return y;
    }

    /** Records y = f(x) with the elementwise derivative dydx(x, y) (generic path, any type). */
    private static void recordUnary(String name, NdArray x, NdArray y, Derivative dydx) {
        Graph g = Autograd.tracking(x);
        if (g == null) {
            return;
        }
        Autograd.record(g, name, y, gy -> {
            NdArray gx = like(x);
            int n = x.size();
            if (x.dtype() == DType.F32) {
                float[] a = x.f();
                float[] b = y.f();
                float[] gg = gy.f();
                float[] o = gx.f();
                for (int i = 0; i < n; i++) {
                    o[i] = (float) (gg[i] * dydx.of(a[i], b[i]));
                }
            } else {
                double[] a = x.d();
                double[] b = y.d();
                double[] gg = gy.d();
                double[] o = gx.d();
                for (int i = 0; i < n; i++) {
                    o[i] = gg[i] * dydx.of(a[i], b[i]);
                }
            }
            Autograd.accumulate(g, x, gx);
        });
    }

    public static NdArray exp(NdArray x) {
        return unary("exp", Native.EXP, x, (a, y) -> y);
    }

    public static NdArray log(NdArray x) {
        return unary("log", Native.LOG, x, (a, y) -> 1 / a);
    }

    public static NdArray log1p(NdArray x) {
        return unary("log1p", Native.LOG1P, x, (a, y) -> 1 / (1 + a));
    }

    public static NdArray tanh(NdArray x) {
        return unary("tanh", Native.TANH, x, (a, y) -> 1 - y * y);
    }

    public static NdArray sin(NdArray x) {
        return unary("sin", Native.SIN, x, (a, y) -> Math.cos(a));
    }

    public static NdArray cos(NdArray x) {
        return unary("cos", Native.COS, x, (a, y) -> -Math.sin(a));
    }

    /** 1 / (1 + e^-x), stable for large |x|. */
    public static NdArray sigmoid(NdArray x) {
        return unary("sigmoid", Native.SIGMOID, x, (a, y) -> y * (1 - y));
    }

    /** log(1 + e^x), stable for large |x|. */
    public static NdArray softplus(NdArray x) {
        return unary("softplus", Native.SOFTPLUS, x, (a, y) -> FloatMath.apply(Native.SIGMOID, a));
    }

    /** log sigmoid(x) = -softplus(-x). */
    public static NdArray logSigmoid(NdArray x) {
        return neg(softplus(neg(x)));
    }

    public static NdArray sqrt(NdArray x) {
        NdArray y = like(x);
        int n = x.size();
        for (int i = 0; i < n; i++) {
            y.setFlat(i, Math.sqrt(x.getFlat(i)));
        }
        recordUnary("sqrt", x, y, (a, b) -> 0.5 / b);
        return y;
    }

    public static NdArray square(NdArray x) {
        NdArray y = like(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            float[] a = x.f();
            float[] o = y.f();
            for (int i = 0; i < n; i++) {
                o[i] = a[i] * a[i];
            }
        } else {
            double[] a = x.d();
            double[] o = y.d();
            for (int i = 0; i < n; i++) {
                o[i] = a[i] * a[i];
            }
        }
        recordUnary("square", x, y, (a, b) -> 2 * a);
        return y;
    }

    public static NdArray abs(NdArray x) {
        NdArray y = like(x);
        for (int i = 0; i < x.size(); i++) {
            y.setFlat(i, Math.abs(x.getFlat(i)));
        }
        recordUnary("abs", x, y, (a, b) -> Math.signum(a));
        return y;
    }

    /** x^p elementwise. */
    public static NdArray pow(NdArray x, double p) {
        NdArray y = like(x);
        for (int i = 0; i < x.size(); i++) {
            y.setFlat(i, Math.pow(x.getFlat(i), p));
        }
        recordUnary("pow", x, y, (a, b) -> p * Math.pow(a, p - 1));
        return y;
    }

    /** x limited to [lo, hi]; the gradient is passed where x is inside. */
    public static NdArray clamp(NdArray x, double lo, double hi) {
        NdArray y = like(x);
        for (int i = 0; i < x.size(); i++) {
            y.setFlat(i, Math.min(hi, Math.max(lo, x.getFlat(i))));
        }
        recordUnary("clamp", x, y, (a, b) -> a >= lo && a <= hi ? 1 : 0);
        return y;
    }

    /** max(x, 0). */
    public static NdArray relu(NdArray x) {
        return leakyRelu(x, 0);
    }

    /** x for x > 0, slope * x otherwise. */
    public static NdArray leakyRelu(NdArray x, double slope) {
        NdArray y = like(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            FloatMath.leakyRelu(x.f(), y.f(), n, (float) slope);
        } else {
            double[] a = x.d();
            double[] o = y.d();
            for (int i = 0; i < n; i++) {
                o[i] = a[i] > 0 ? a[i] : slope * a[i];
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, slope == 0 ? "relu" : "leaky_relu", y, gy -> {
                boolean fresh = Autograd.gradFresh(x);
                NdArray gx = Autograd.gradBuffer(g, x);
                if (x.dtype() == DType.F32) {
                    FloatMath.leakyReluBackward(x.f(), gy.f(), gx.f(), n, (float) slope, !fresh);
                } else {
                    double[] a = x.d();
                    double[] gg = gy.d();
                    double[] o = gx.d();
                    for (int i = 0; i < n; i++) {
                        double v = a[i] > 0 ? gg[i] : slope * gg[i];
                        o[i] = fresh ? v : o[i] + v;
                    }
                }
                Autograd.gradWritten(x);
            });
        }
        return y;
    }

    /** x for x > 0, e^x - 1 otherwise (alpha 1). */
    public static NdArray elu(NdArray x) {
        NdArray y = like(x);
        int n = x.size();
        if (x.dtype() == DType.F32) {
            float[] a = x.f();
            float[] o = y.f();
            FloatMath.unary(Native.EXPM1, a, 0, o, 0, n);
            for (int i = 0; i < n; i++) {
                if (a[i] > 0) {
                    o[i] = a[i];
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                double v = x.d()[i];
                y.d()[i] = v > 0 ? v : Math.expm1(v);
            }
        }
        recordUnary("elu", x, y, (a, b) -> a > 0 ? 1 : b + 1);
        return y;
    }

    /** x * sigmoid(x) (SiLU, Swish). */
    public static NdArray silu(NdArray x) {
        NdArray s = like(x);
        int n = x.size();
        NdArray y = like(x);
        if (x.dtype() == DType.F32) {
            float[] a = x.f();
            float[] sf = s.f();
            float[] o = y.f();
            FloatMath.unary(Native.SIGMOID, a, 0, sf, 0, n);
            for (int i = 0; i < n; i++) {
                o[i] = a[i] * sf[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                double v = x.d()[i];
                s.d()[i] = FloatMath.apply(Native.SIGMOID, v);
                y.d()[i] = v * s.d()[i];
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "silu", y, gy -> {
                NdArray gx = like(x);
                if (x.dtype() == DType.F32) {
                    float[] a = x.f();
                    float[] sf = s.f();
                    float[] gg = gy.f();
                    float[] o = gx.f();
                    for (int i = 0; i < n; i++) {
                        o[i] = gg[i] * sf[i] * (1 + a[i] * (1 - sf[i]));
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        double si = s.d()[i];
                        gx.d()[i] = gy.d()[i] * si * (1 + x.d()[i] * (1 - si));
                    }
                }
                Autograd.accumulate(g, x, gx);
            });
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------------ reductions

    /** The sum of all elements, a scalar. */
    public static NdArray sum(NdArray x) {
        NdArray out = NdArray.allocate(x.dtype(), false);
        int n = x.size();
        double acc = 0;
        if (x.dtype() == DType.F32) {
            float[] a = x.f();
            for (int i = 0; i < n; i++) {
                acc += a[i];
            }
        } else {
            double[] a = x.d();
            for (int i = 0; i < n; i++) {
                acc += a[i];
            }
        }
        out.setFlat(0, acc);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "sum", out, gy -> {
                NdArray gx = NdArray.allocate(x.dtype(), false, x.shape());
                gx.fill(gy.getFlat(0));
                Autograd.accumulate(g, x, gx);
            });
        }
        return out;
    }

    /** The mean of all elements, a scalar. */
    public static NdArray mean(NdArray x) {
        return mul(sum(x), 1.0 / x.size());
    }

    /** Sums over {@code axis} (negative counts from the end); {@code keepDims} keeps it as a dimension of size 1. */
    public static NdArray sum(NdArray x, int axis, boolean keepDims) {
        int[] s = x.shape();
        int ax = axis < 0 ? s.length + axis : axis;
        int[] kept = s.clone();
        kept[ax] = 1;
        NdArray out = sumTo(x, kept);
        return keepDims ? out : reshape(out, dropAxis(s, ax));
    }

    /** Means over {@code axis}. */
    public static NdArray mean(NdArray x, int axis, boolean keepDims) {
        int ax = axis < 0 ? x.rank() + axis : axis;
        return mul(sum(x, ax, keepDims), 1.0 / x.dim(ax));
    }

    private static int[] dropAxis(int[] s, int ax) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != ax) {
                out[j++] = s[i];
            }
        }
        return out;
    }

    /** Sums x down to {@code shape}, which x's shape must broadcast from (the gradient of broadcasting). */
    public static NdArray sumTo(NdArray x, int... shape) {
        int[] check = Bcast.shapeOf(x.shape(), shape);
        if (!Arrays.equals(check, x.shape())) {
            throw new IllegalArgumentException("cannot sum " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        }
        NdArray out = NdArray.allocate(x.dtype(), true, shape);
        reduceInto(x, out);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "sum_to", out, gy -> Autograd.accumulate(g, x, broadcastNoGrad(gy, x.shape())));
        }
        return out;
    }

    /** x repeated along the dimensions where {@code shape} is larger (NumPy broadcast_to, as a copy). */
    public static NdArray broadcastTo(NdArray x, int... shape) {
        NdArray out = broadcastNoGrad(x, shape);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "broadcast_to", out, gy -> accumulateReduced(g, x, gy));
        }
        return out;
    }

    private static NdArray broadcastNoGrad(NdArray x, int[] shape) {
        int[] s = Bcast.shapeOf(x.shape(), shape);
        if (!Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        }
        NdArray out = NdArray.allocate(x.dtype(), false, shape);
        NdArray zero = NdArray.allocate(x.dtype(), true);
        compute(ADD, Bcast.of(shape, x.shape(), zero.shape()), x, zero, out);
        return out;
    }

    /** log sum exp over {@code axis}, stable (the maximum is taken out first). */
    public static NdArray logSumExp(NdArray x, int axis, boolean keepDims) {
        int[] s = x.shape();
        int ax = axis < 0 ? s.length + axis : axis;
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= s[i];
        }
        for (int i = ax + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int k = s[ax];
        int[] kept = s.clone();
        kept[ax] = 1;
        NdArray out = NdArray.allocate(x.dtype(), false, kept);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * k * inner + j;
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < k; i++) {
                    m = Math.max(m, x.getFlat(base + i * inner));
                }
                double acc = 0;
                if (m != Double.NEGATIVE_INFINITY) {
                    for (int i = 0; i < k; i++) {
                        acc += Math.exp(x.getFlat(base + i * inner) - m);
                    }
                }
                out.setFlat(o * inner + j, m == Double.NEGATIVE_INFINITY ? m : m + Math.log(acc));
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            int kk = k;
            int in = inner;
            int ou = outer;
            Autograd.record(g, "logsumexp", out, gy -> {
                NdArray gx = like(x);
                for (int o = 0; o < ou; o++) {
                    for (int j = 0; j < in; j++) {
                        double l = out.getFlat(o * in + j);
                        double gv = gy.getFlat(o * in + j);
                        int base = o * kk * in + j;
                        for (int i = 0; i < kk; i++) {
                            gx.setFlat(base + i * in, l == Double.NEGATIVE_INFINITY ? 0
                                    : gv * Math.exp(x.getFlat(base + i * in) - l));
                        }
                    }
                }
                Autograd.accumulate(g, x, gx);
            });
        }
        return keepDims ? out : reshape(out, dropAxis(s, ax));
    }

    /** log softmax over {@code axis}: x - logsumexp(x). */
    public static NdArray logSoftmax(NdArray x, int axis) {
        return sub(x, logSumExp(x, axis, true));
    }

    /** softmax over {@code axis}. */
    public static NdArray softmax(NdArray x, int axis) {
        return exp(logSoftmax(x, axis));
    }

    /** The largest value along {@code axis} (no gradient: a statistic, not a loss). */
    public static NdArray max(NdArray x, int axis, boolean keepDims) {
        int[] s = x.shape();
        int ax = axis < 0 ? s.length + axis : axis;
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= s[i];
        }
        for (int i = ax + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int[] kept = s.clone();
        kept[ax] = 1;
        NdArray out = NdArray.allocate(x.dtype(), false, kept);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < s[ax]; i++) {
                    m = Math.max(m, x.getFlat((o * s[ax] + i) * inner + j));
                }
                out.setFlat(o * inner + j, m);
            }
        }
        return keepDims ? out : reshape(out, dropAxis(s, ax));
    }

    // ------------------------------------------------------------------------------------------------ shapes

    /** The same values with another shape (one dimension may be -1), sharing storage. */
    public static NdArray reshape(NdArray x, int... shape) {
        int[] s = shape.clone();
        int known = 1;
        int free = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("two -1 dimensions in " + Arrays.toString(shape));
                }
                free = i;
            } else {
                known *= s[i];
            }
        }
        if (free >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
            }
            s[free] = x.size() / known;
        }
        if (NdArray.checkedSize(s) != x.size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x.shape()) + " (" + x.size()
                    + " values) to " + Arrays.toString(shape));
        }
        NdArray out = new NdArray(x.dtype(), s, x.dtype() == DType.F32 ? x.f() : null,
                x.dtype() == DType.F64 ? x.d() : null, true);
        Scope.viewOf(x, out);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "reshape", out, gy -> Autograd.accumulate(g, x, gy));
        }
        return out;
    }

    /** Flattens dimensions from {@code startDim} on: [n, c, h, w] with 1 gives [n, c*h*w]. */
    public static NdArray flatten(NdArray x, int startDim) {
        int[] s = x.shape();
        int[] out = Arrays.copyOf(s, startDim + 1);
        out[startDim] = 1;
        for (int i = startDim; i < s.length; i++) {
            out[startDim] *= s[i];
        }
        return reshape(x, out);
    }

    /** The dimensions reordered: output dimension i is input dimension {@code dims[i]} (a copy). */
    public static NdArray permute(NdArray x, int... dims) {
        int[] s = x.shape();
        int r = s.length;
        if (dims.length != r) {
            throw new IllegalArgumentException("permute of rank " + r + " with " + Arrays.toString(dims));
        }
        int[] outShape = new int[r];
        int[] inStride = new int[r];
        int stride = 1;
        int[] strides = new int[r];
        for (int i = r - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= s[i];
        }
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            if (dims[i] < 0 || dims[i] >= r || seen[dims[i]]) {
                throw new IllegalArgumentException("not a permutation: " + Arrays.toString(dims));
            }
            seen[dims[i]] = true;
            outShape[i] = s[dims[i]];
            inStride[i] = strides[dims[i]];
        }
        NdArray out = NdArray.allocate(x.dtype(), false, outShape);
        gatherStrided(x, out, outShape, inStride);
        Graph g = Autograd.tracking(x);
        if (g != null) {
            int[] inverse = new int[r];
            for (int i = 0; i < r; i++) {
                inverse[dims[i]] = i;
            }
            Autograd.record(g, "permute", out, gy -> {
                NdArray gx = NdArray.allocate(x.dtype(), false, s);
                int[] st = new int[r];
                int[] outStrides = new int[r];
                int acc = 1;
                for (int i = r - 1; i >= 0; i--) {
                    outStrides[i] = acc;
                    acc *= outShape[i];
                }
                for (int i = 0; i < r; i++) {
                    st[i] = outStrides[inverse[i]];
                }
                gatherStrided(gy, gx, s, st);
                Autograd.accumulate(g, x, gx);
            });
        }
        return out;
    }

    /** out[i...] = src[sum i_k * stride_k], over out's row-major order. */
    private static void gatherStrided(NdArray src, NdArray out, int[] shape, int[] stride) {
        int r = shape.length;
        int n = out.size();
        if (n == 0) {
            return;
        }
        int[] idx = new int[r];
        int off = 0;
        int last = shape[r - 1];
        int ls = stride[r - 1];
        if (src.dtype() == DType.F32) {
            float[] a = src.f();
            float[] o = out.f();
            for (int p = 0; p < n; p += last) {
                for (int i = 0; i < last; i++) {
                    o[p + i] = a[off + i * ls];
                }
                for (int dd = r - 2; dd >= 0; dd--) {
                    idx[dd]++;
                    off += stride[dd];
                    if (idx[dd] < shape[dd]) {
                        break;
                    }
                    off -= stride[dd] * shape[dd];
                    idx[dd] = 0;
                }
            }
        } else {
            double[] a = src.d();
            double[] o = out.d();
            for (int p = 0; p < n; p += last) {
                for (int i = 0; i < last; i++) {
                    o[p + i] = a[off + i * ls];
                }
                for (int dd = r - 2; dd >= 0; dd--) {
                    idx[dd]++;
                    off += stride[dd];
                    if (idx[dd] < shape[dd]) {
                        break;
                    }
                    off -= stride[dd] * shape[dd];
                    idx[dd] = 0;
                }
            }
        }
    }

    /** The matrix transposed ([m, n] to [n, m]). */
    public static NdArray transpose(NdArray x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("transpose of a rank-" + x.rank() + " array; use permute");
        }
        return permute(x, 1, 0);
    }

    /** The arrays joined along {@code axis}; all other dimensions must agree. */
    public static NdArray concat(int axis, NdArray... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("concat of nothing");
        }
        int[] s = xs[0].shape();
        int ax = axis < 0 ? s.length + axis : axis;
        int total = 0;
        for (NdArray x : xs) {
            sameType(xs[0], x);
            int[] t = x.shape();
            if (t.length != s.length) {
                throw new IllegalArgumentException("concat of ranks " + s.length + " and " + t.length);
            }
            for (int i = 0; i < s.length; i++) {
                if (i != ax && t[i] != s[i]) {
                    throw new IllegalArgumentException("concat along " + ax + " of " + Arrays.toString(s) + " and "
                            + Arrays.toString(t));
                }
            }
            total += t[ax];
        }
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= s[i];
        }
        for (int i = ax + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int[] outShape = s.clone();
        outShape[ax] = total;
        NdArray out = NdArray.allocate(xs[0].dtype(), false, outShape);
        int at = 0;
        int[] starts = new int[xs.length];
        for (int k = 0; k < xs.length; k++) {
            int len = xs[k].dim(ax) * inner;
            starts[k] = at;
            for (int o = 0; o < outer; o++) {
                copy(xs[k], o * len, out, o * total * inner + at, len);
            }
            at += len;
        }
        Graph g = Autograd.tracking(xs);
        if (g != null) {
            int tot = total;
            int inn = inner;
            int out0 = outer;
            Autograd.record(g, "concat", out, gy -> {
                for (int k = 0; k < xs.length; k++) {
                    if (!g.needs(xs[k])) {
                        continue;
                    }
                    int len = xs[k].dim(ax) * inn;
                    NdArray gx = like(xs[k]);
                    for (int o = 0; o < out0; o++) {
                        copy(gy, o * tot * inn + starts[k], gx, o * len, len);
                    }
                    Autograd.accumulate(g, xs[k], gx);
                }
            });
        }
        return out;
    }

    /** {@code length} entries of x along {@code axis} from {@code start} (a copy). */
    public static NdArray narrow(NdArray x, int axis, int start, int length) {
        int[] s = x.shape();
        int ax = axis < 0 ? s.length + axis : axis;
        if (start < 0 || length < 0 || start + length > s[ax]) {
            throw new IllegalArgumentException("narrow [" + start + ", " + (start + length) + ") of dimension " + ax
                    + " of size " + s[ax]);
        }
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= s[i];
        }
        for (int i = ax + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int[] outShape = s.clone();
        outShape[ax] = length;
        NdArray out = NdArray.allocate(x.dtype(), false, outShape);
        int len = length * inner;
        int row = s[ax] * inner;
        for (int o = 0; o < outer; o++) {
            copy(x, o * row + start * inner, out, o * len, len);
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            int ou = outer;
            int in = inner;
            Autograd.record(g, "narrow", out, gy -> {
                boolean fresh = Autograd.gradFresh(x);
                NdArray gx = Autograd.gradBuffer(g, x);
                if (fresh) {
                    gx.fill(0);
                }
                for (int o = 0; o < ou; o++) {
                    for (int i = 0; i < len; i++) {
                        int p = o * row + start * in + i;
                        gx.setFlat(p, gx.getFlat(p) + gy.getFlat(o * len + i));
                    }
                }
                Autograd.gradWritten(x);
            });
        }
        return out;
    }

    static void copy(NdArray src, int srcOff, NdArray dst, int dstOff, int n) {
        if (src.dtype() == DType.F32) {
            System.arraycopy(src.f(), srcOff, dst.f(), dstOff, n);
        } else {
            System.arraycopy(src.d(), srcOff, dst.d(), dstOff, n);
        }
    }

    // ------------------------------------------------------------------------------------------------ products

    /**
     * The matrix product of {@code a} [m, k] and {@code b} [k, n] (either transposed first when asked), [m, n]; for
     * rank-3 arrays [batch, ., .] the product of each pair.
     */
    public static NdArray matmul(NdArray a, NdArray b, boolean transA, boolean transB) {
        sameType(a, b);
        if (a.rank() == 3 && b.rank() == 3) {
            return batchedMatmul(a, b, transA, transB);
        }
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("matmul of " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new IllegalArgumentException("matmul of " + Arrays.toString(a.shape()) + (transA ? "^T" : "") + " and "
                    + Arrays.toString(b.shape()) + (transB ? "^T" : "") + ": inner dimensions " + k + " and " + kb);
        }
        NdArray out = NdArray.allocate(a.dtype(), false, m, n);
        gemm(transA, transB, m, n, k, 1, a, 0, a.dim(1), b, 0, b.dim(1), 0, out, 0, n);
        Graph g = Autograd.tracking(a, b);
        if (g != null) {
            Autograd.record(g, "matmul", out, gy -> {
                if (g.needs(a)) {
                    // dA = gy B^T (or its transpose when A was transposed)
                    boolean fresh = Autograd.gradFresh(a);
                    NdArray ga = Autograd.gradBuffer(g, a);
                    if (!transA) {
                        gemm(false, !transB, m, k, n, 1, gy, 0, n, b, 0, b.dim(1), fresh ? 0 : 1, ga, 0, k);
                    } else {
                        gemm(transB, true, k, m, n, 1, b, 0, b.dim(1), gy, 0, n, fresh ? 0 : 1, ga, 0, m);
                    }
                    Autograd.gradWritten(a);
                }
                if (g.needs(b)) {
                    boolean fresh = Autograd.gradFresh(b);
                    NdArray gb = Autograd.gradBuffer(g, b);
                    if (!transB) {
                        gemm(!transA, false, k, n, m, 1, a, 0, a.dim(1), gy, 0, n, fresh ? 0 : 1, gb, 0, n);
                    } else {
                        gemm(true, transA, n, k, m, 1, gy, 0, n, a, 0, a.dim(1), fresh ? 0 : 1, gb, 0, k);
                    }
                    Autograd.gradWritten(b);
                }
            });
        }
        return out;
    }

    /** a [m, k] times b [k, n]. */
    public static NdArray matmul(NdArray a, NdArray b) {
        return matmul(a, b, false, false);
    }

    private static NdArray batchedMatmul(NdArray a, NdArray b, boolean transA, boolean transB) {
        int batch = a.dim(0);
        if (b.dim(0) != batch) {
            throw new IllegalArgumentException("batched matmul of " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        NdArray[] outs = new NdArray[batch];
        for (int i = 0; i < batch; i++) {
            NdArray ai = reshape(narrow(a, 0, i, 1), a.dim(1), a.dim(2));
            NdArray bi = reshape(narrow(b, 0, i, 1), b.dim(1), b.dim(2));
            NdArray p = matmul(ai, bi, transA, transB);
            outs[i] = reshape(p, 1, p.dim(0), p.dim(1));
        }
        return concat(0, outs);
    }

    /** C = alpha op(A) op(B) + beta C on the arrays' storage at the given offsets (row-major). */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, NdArray a, int aOff, int lda,
                     NdArray b, int bOff, int ldb, double beta, NdArray c, int cOff, int ldc) {
        if (a.dtype() == DType.F32) {
            Blas.sgemm(ta, tb, m, n, k, (float) alpha, a.f(), aOff, lda, b.f(), bOff, ldb, (float) beta, c.f(), cOff, ldc);
        } else {
            Blas.dgemm(ta, tb, m, n, k, alpha, a.d(), aOff, lda, b.d(), bOff, ldb, beta, c.d(), cOff, ldc);
        }
    }

    /**
     * x W^T + b as PyTorch's {@code nn.Linear}: x [..., in], W [out, in], b [out] or null; [..., out]. Leading
     * dimensions of x are flattened into rows for one product.
     */
    public static NdArray linear(NdArray x, NdArray w, NdArray b) {
        sameType(x, w);
        int in = w.dim(1);
        int outF = w.dim(0);
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("linear layer of " + in + " inputs given " + Arrays.toString(x.shape()));
        }
        int rows = x.size() / Math.max(in, 1);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = outF;
        NdArray y = NdArray.allocate(x.dtype(), false, outShape);
        if (b != null) {
            // y = 1 b^T, then y += x W^T
            if (x.dtype() == DType.F32) {
                float[] yf = y.f();
                float[] bf = b.f();
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(bf, 0, yf, r * outF, outF);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(b.d(), 0, y.d(), r * outF, outF);
                }
            }
        }
        gemm(false, true, rows, outF, in, 1, x, 0, in, w, 0, in, b == null ? 0 : 1, y, 0, outF);
        Graph g = Autograd.tracking(x, w, b);
        if (g != null) {
            Autograd.record(g, "linear", y, gy -> {
                if (g.needs(w)) {
                    boolean fresh = Autograd.gradFresh(w);
                    NdArray gw = Autograd.gradBuffer(g, w);
                    gemm(true, false, outF, in, rows, 1, gy, 0, outF, x, 0, in, fresh ? 0 : 1, gw, 0, in);
                    Autograd.gradWritten(w);
                }
                if (b != null && g.needs(b)) {
                    boolean fresh = Autograd.gradFresh(b);
                    NdArray gb = Autograd.gradBuffer(g, b);
                    columnSums(gy, rows, outF, gb, fresh);
                    Autograd.gradWritten(b);
                }
                if (g.needs(x)) {
                    boolean fresh = Autograd.gradFresh(x);
                    NdArray gx = Autograd.gradBuffer(g, x);
                    gemm(false, false, rows, in, outF, 1, gy, 0, outF, w, 0, in, fresh ? 0 : 1, gx, 0, in);
                    Autograd.gradWritten(x);
                }
            });
        }
        return y;
    }

    /** dst (+)= the column sums of the row-major [rows, cols] src. */
    static void columnSums(NdArray src, int rows, int cols, NdArray dst, boolean overwrite) {
        if (src.dtype() == DType.F32) {
            float[] s = src.f();
            float[] d = dst.f();
            if (overwrite) {
                Arrays.fill(d, 0, cols, 0f);
            }
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                for (int c = 0; c < cols; c++) {
                    d[c] += s[base + c];
                }
            }
        } else {
            double[] s = src.d();
            double[] d = dst.d();
            if (overwrite) {
                Arrays.fill(d, 0, cols, 0d);
            }
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    d[c] += s[r * cols + c];
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ indexing, noise

    /** x [n, k] at column {@code index[i]} of row i: [n] (a 256-way softmax's log-probability of the true value). */
    public static NdArray pick(NdArray x, int[] index) {
        if (x.rank() != 2 || index.length != x.dim(0)) {
            throw new IllegalArgumentException("pick " + index.length + " indices from " + Arrays.toString(x.shape()));
        }
        int n = x.dim(0);
        int k = x.dim(1);
        NdArray out = NdArray.allocate(x.dtype(), false, n);
        for (int i = 0; i < n; i++) {
            if (index[i] < 0 || index[i] >= k) {
                throw new IndexOutOfBoundsException("index " + index[i] + " at row " + i + " is outside 0.." + (k - 1));
            }
            out.setFlat(i, x.getFlat(i * k + index[i]));
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "pick", out, gy -> {
                boolean fresh = Autograd.gradFresh(x);
                NdArray gx = Autograd.gradBuffer(g, x);
                if (fresh) {
                    gx.fill(0);
                }
                for (int i = 0; i < n; i++) {
                    int p = i * k + index[i];
                    gx.setFlat(p, gx.getFlat(p) + gy.getFlat(i));
                }
                Autograd.gradWritten(x);
            });
        }
        return out;
    }

    /** Rows of {@code table} [k, d] at {@code rows}: [n, d] (an embedding lookup); gradients add into the rows used. */
    public static NdArray embedding(NdArray table, int[] rows) {
        if (table.rank() != 2) {
            throw new IllegalArgumentException("embedding table must be [k, d], got " + Arrays.toString(table.shape()));
        }
        int k = table.dim(0);
        int d = table.dim(1);
        NdArray out = NdArray.allocate(table.dtype(), false, rows.length, d);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= k) {
                throw new IndexOutOfBoundsException("row " + rows[i] + " of an embedding table of " + k);
            }
            copy(table, rows[i] * d, out, i * d, d);
        }
        Graph g = Autograd.tracking(table);
        if (g != null) {
            Autograd.record(g, "embedding", out, gy -> {
                boolean fresh = Autograd.gradFresh(table);
                NdArray gt = Autograd.gradBuffer(g, table);
                if (fresh) {
                    gt.fill(0);
                }
                for (int i = 0; i < rows.length; i++) {
                    for (int j = 0; j < d; j++) {
                        int p = rows[i] * d + j;
                        gt.setFlat(p, gt.getFlat(p) + gy.getFlat(i * d + j));
                    }
                }
                Autograd.gradWritten(table);
            });
        }
        return out;
    }

    /** One-hot rows [n, classes] of the labels (a constant). */
    public static NdArray oneHot(int[] labels, int classes, DType dtype) {
        NdArray out = NdArray.zeros(dtype, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is not a class in 0.." + (classes - 1));
            }
            out.setFlat(i * classes + labels[i], 1);
        }
        return out;
    }

    /** Inverted dropout: each element kept with probability 1 - p and scaled by 1 / (1 - p); x itself when p is 0. */
    public static NdArray dropout(NdArray x, double p, Rng rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), was " + p);
        }
        if (p == 0) {
            return x;
        }
        NdArray mask = like(x);
        double scale = 1 / (1 - p);
        for (int i = 0; i < mask.size(); i++) {
            mask.setFlat(i, rng.nextDouble() < p ? 0 : scale);
        }
        return mul(x, mask);
    }
}
