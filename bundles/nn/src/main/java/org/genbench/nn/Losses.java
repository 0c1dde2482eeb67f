package org.genbench.nn;

import java.util.Arrays;
import org.genbench.nn.internal.FloatMath;
import org.genbench.nn.internal.Native;

/**
 * Log-likelihoods and losses. Log-likelihoods are per example (summed over every value of a row: the first dimension
 * indexes examples), in nats, so models and evaluators can turn them into bounds, bits per dimension or losses.
 */
public final class Losses {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private Losses() {
    }

    /**
     * log p(x | logits) of independent Bernoullis per example, [n]: sum of x l - softplus(l), stable for large |l|;
     * x may be fractional (a soft target). Fused: one exponential per value serves the value and the gradient.
     */
    public static NdArray bernoulliLogLik(NdArray logits, NdArray x) {
        F.sameType(logits, x);
        if (logits.size() != x.size()) {
            throw new IllegalArgumentException("logits " + Arrays.toString(logits.shape()) + " for data " + Arrays.toString(x.shape()));
        }
        int n = logits.dim(0);
        int d = logits.size() / Math.max(1, n);
        NdArray out = NdArray.allocate(logits.dtype(), false, n);
        NdArray sig = F.like(logits);
        if (logits.dtype() == DType.F32) {
            NdArray sp = F.like(logits);
            float[] l = logits.f();
            float[] xv = x.f();
            float[] spf = sp.f();
            FloatMath.softplusSigmoid(l, 0, spf, 0, sig.f(), 0, logits.size());
            float[] o = out.f();
            for (int r = 0; r < n; r++) {
                int base = r * d;
                float acc = 0;
                for (int j = 0; j < d; j++) {
                    acc += xv[base + j] * l[base + j] - spf[base + j];
                }
                o[r] = acc;
            }
        } else {
            for (int r = 0; r < n; r++) {
                double acc = 0;
                for (int j = 0; j < d; j++) {
                    double l = logits.d()[r * d + j];
                    sig.d()[r * d + j] = FloatMath.apply(Native.SIGMOID, l);
                    acc += x.d()[r * d + j] * l - FloatMath.apply(Native.SOFTPLUS, l);
                }
                out.d()[r] = acc;
            }
        }
        Graph g = Autograd.tracking(logits, x);
        if (g != null) {
            Autograd.record(g, "bernoulli_loglik", out, gy -> {
                if (g.needs(logits)) {
                    // d/dl = x - sigmoid(l)
                    boolean fresh = Autograd.gradFresh(logits);
                    NdArray gl = Autograd.gradBuffer(g, logits);
                    if (logits.dtype() == DType.F32) {
                        float[] o = gl.f();
                        float[] xv = x.f();
                        float[] s = sig.f();
                        float[] gg = gy.f();
                        for (int r = 0; r < n; r++) {
                            float gr = gg[r];
                            int base = r * d;
                            if (fresh) {
                                for (int j = 0; j < d; j++) {
                                    o[base + j] = gr * (xv[base + j] - s[base + j]);
                                }
                            } else {
                                for (int j = 0; j < d; j++) {
                                    o[base + j] += gr * (xv[base + j] - s[base + j]);
                                }
                            }
                        }
                    } else {
                        for (int r = 0; r < n; r++) {
                            for (int j = 0; j < d; j++) {
                                int p = r * d + j;
                                double v = gy.d()[r] * (x.d()[p] - sig.d()[p]);
                                gl.d()[p] = fresh ? v : gl.d()[p] + v;
                            }
                        }
                    }
                    Autograd.gradWritten(logits);
                }
                if (g.needs(x)) {
                    NdArray gx = F.like(x);
                    for (int r = 0; r < n; r++) {
                        for (int j = 0; j < d; j++) {
                            gx.setFlat(r * d + j, gy.getFlat(r) * logits.getFlat(r * d + j));
                        }
                    }
                    Autograd.accumulate(g, x, gx);
                }
            });
        }
        return out;
    }

    /** Mean binary cross-entropy of logits against targets (0/1 or soft): -mean(t l - softplus(l)) over all values. */
    public static NdArray bceWithLogits(NdArray logits, NdArray targets) {
        NdArray ll = bernoulliLogLik(F.reshape(logits, logits.size(), 1), F.reshape(targets, targets.size(), 1));
        return F.mul(F.sum(ll), -1.0 / logits.size());
    }

    /** log N(x; mean, exp(logVar)) per example, [n]; logVar broadcasts (a scalar, per value, per row). */
    public static NdArray gaussianLogLik(NdArray x, NdArray mean, NdArray logVar) {
        NdArray r = F.sub(x, mean);
        NdArray quad = F.mul(F.square(r), F.exp(F.neg(logVar)));
        NdArray perValue = F.add(F.add(quad, F.broadcastTo(logVar, quad.shape())), LOG_2PI);
        return F.mul(rowSums(perValue), -0.5);
    }

    /** log N(x; mean, sigma^2) per example with a fixed sigma, [n]. */
    public static NdArray gaussianLogLik(NdArray x, NdArray mean, double sigma) {
        NdArray r = F.sub(x, mean);
        int d = x.size() / Math.max(1, x.dim(0));
        NdArray quad = rowSums(F.square(r));
        return F.add(F.mul(quad, -0.5 / (sigma * sigma)), -d * (Math.log(sigma) + 0.5 * LOG_2PI));
    }

    /** KL(N(mu, exp(logVar)) || N(0, I)) per example, [n]: half the row sum of exp(lv) + mu^2 - 1 - lv. */
    public static NdArray gaussianKl(NdArray mu, NdArray logVar) {
        NdArray t = F.sub(F.add(F.add(F.exp(logVar), F.square(mu)), -1), logVar);
        return F.mul(rowSums(t), 0.5);
    }

    /** Sums each example's values: [n, ...] to [n]. */
    public static NdArray rowSums(NdArray x) {
        int n = x.dim(0);
        return F.reshape(F.sum(F.reshape(x, n, -1), 1, true), n);
    }

    /**
     * log p(values) under independent categoricals per example, [n]: {@code logits} [n, k, d...] holds k logits for
     * each of the d positions; {@code values} [n][d] the observed categories (0..k-1). The 256-way softmax of
     * PixelCNN on 8-bit data. Fused: one pass of exponentials, and the gradient softmax - onehot.
     */
    public static NdArray categoricalLogLik(NdArray logits, int[][] values) {
        int n = logits.dim(0);
        int k = logits.dim(1);
        int d = logits.size() / Math.max(1, n * k);
        if (values.length != n) {
            throw new IllegalArgumentException(values.length + " rows of values for " + n + " rows of logits");
        }
        NdArray out = NdArray.allocate(logits.dtype(), false, n);
        NdArray prob = F.like(logits); // softmax, kept for the backward pass
        double[] m = new double[d];
        double[] s = new double[d];
        for (int r = 0; r < n; r++) {
            if (values[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + values[r].length + " values for " + d + " positions");
            }
            int base = r * k * d;
            Arrays.fill(m, Double.NEGATIVE_INFINITY);
            Arrays.fill(s, 0);
            for (int c = 0; c < k; c++) {
                for (int p = 0; p < d; p++) {
                    m[p] = Math.max(m[p], logits.getFlat(base + c * d + p));
                }
            }
            if (logits.dtype() == DType.F32) {
                float[] l = logits.f();
                float[] pr = prob.f();
                for (int c = 0; c < k; c++) {
                    int o = base + c * d;
                    for (int p = 0; p < d; p++) {
                        pr[o + p] = (float) (l[o + p] - m[p]);
                    }
                }
                FloatMath.unary(Native.EXP, pr, base, pr, base, k * d);
                for (int c = 0; c < k; c++) {
                    int o = base + c * d;
                    for (int p = 0; p < d; p++) {
                        s[p] += pr[o + p];
                    }
                }
            } else {
                for (int c = 0; c < k; c++) {
                    for (int p = 0; p < d; p++) {
                        double e = Math.exp(logits.getFlat(base + c * d + p) - m[p]);
                        prob.setFlat(base + c * d + p, e);
                        s[p] += e;
                    }
                }
            }
            double acc = 0;
            for (int p = 0; p < d; p++) {
                int v = values[r][p];
                if (v < 0 || v >= k) {
                    throw new IllegalArgumentException("value " + v + " at row " + r + ", position " + p
                            + " is not a category in 0.." + (k - 1));
                }
                acc += logits.getFlat(base + v * d + p) - m[p] - Math.log(s[p]);
            }
            out.setFlat(r, acc);
            for (int c = 0; c < k; c++) {
                for (int p = 0; p < d; p++) {
                    int q = base + c * d + p;
                    prob.setFlat(q, prob.getFlat(q) / s[p]);
                }
            }
        }
        Graph g = Autograd.tracking(logits);
        if (g != null) {
            Autograd.record(g, "categorical_loglik", out, gy -> {
                NdArray gl = F.like(logits);
                for (int r = 0; r < n; r++) {
                    double gr = gy.getFlat(r);
                    int base = r * k * d;
                    for (int q = base; q < base + k * d; q++) {
                        gl.setFlat(q, -gr * prob.getFlat(q));
                    }
                    for (int p = 0; p < d; p++) {
                        int q = base + values[r][p] * d + p;
                        gl.setFlat(q, gl.getFlat(q) + gr);
                    }
                }
                Autograd.accumulate(g, logits, gl);
            });
        }
        return out;
    }

    /** Mean cross-entropy of logits [n, k] against class labels: -mean log softmax(logits)[label]. */
    public static NdArray crossEntropy(NdArray logits, int[] labels) {
        int[][] v = new int[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            v[i] = new int[] {labels[i]};
        }
        NdArray ll = categoricalLogLik(F.reshape(logits, logits.dim(0), logits.dim(1), 1), v);
        return F.mul(F.sum(ll), -1.0 / labels.length);
    }

    /**
     * log P(x) per example under a discretized logistic with {@code bins} levels on [-1, 1] (PixelCNN++, Salimans et
     * al. 2017; edges take the tails): x holds the data scaled to [-1, 1], mean and logScale broadcast to it. [n].
     */
    public static NdArray discretizedLogisticLogLik(NdArray x, NdArray mean, NdArray logScale, int bins) {
        double half = 1.0 / (bins - 1);
        NdArray centered = F.sub(x, mean);
        NdArray inv = F.exp(F.neg(logScale));
        NdArray plus = F.mul(F.add(centered, half), inv);
        NdArray minus = F.mul(F.add(centered, -half), inv);
        NdArray logCdfPlus = F.sub(plus, F.softplus(plus));          // log sigmoid(plus): the lowest bin
        NdArray logOneMinusCdfMinus = F.neg(F.softplus(minus));      // log(1 - sigmoid(minus)): the highest bin
        NdArray cdfDelta = F.sub(F.sigmoid(plus), F.sigmoid(minus));
        NdArray logDelta = F.log(F.clamp(cdfDelta, 1e-12, 1));
        int[] shape = broadcastShape(x, cdfDelta);
        NdArray low = NdArray.zeros(x.dtype(), shape);
        NdArray high = NdArray.zeros(x.dtype(), shape);
        NdArray mid = NdArray.zeros(x.dtype(), shape);
        NdArray xb = x.size() == low.size() ? x : F.broadcastTo(x.detach(), shape);
        for (int i = 0; i < low.size(); i++) {
            double v = xb.getFlat(i);
            if (v < -1 + half / 2) {
                low.setFlat(i, 1);
            } else if (v > 1 - half / 2) {
                high.setFlat(i, 1);
            } else {
                mid.setFlat(i, 1);
            }
        }
        NdArray ll = F.add(F.add(F.mul(low, logCdfPlus), F.mul(high, logOneMinusCdfMinus)), F.mul(mid, logDelta));
        return rowSums(ll);
    }

    private static int[] broadcastShape(NdArray a, NdArray b) {
        return org.genbench.nn.internal.Bcast.shapeOf(a.shape(), b.shape());
    }

    /** Mean squared error over all values. */
    public static NdArray mse(NdArray a, NdArray b) {
        NdArray r = F.sub(a, b);
        return F.mean(F.square(r));
    }
}
