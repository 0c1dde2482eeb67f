package org.genbench.nn;

import java.util.Arrays;

/**
 * Normalizations with fused forward and backward passes: batch, group and layer normalization, as PyTorch defines
 * them (biased variance in the normalization; batch norm's running variance unbiased). Statistics are accumulated in
 * double precision.
 */
public final class Norm {
    private Norm() {
    }

    /**
     * Batch normalization of x [n, c] or [n, c, ...] per channel. Training ({@code training}): the batch's statistics,
     * and {@code runningMean}/{@code runningVar} (buffers, may be null) move towards them by {@code momentum}; else the
     * running statistics. {@code gamma}, {@code beta} [c] may be null (no affine part).
     */
    public static NdArray batchNorm(NdArray x, NdArray gamma, NdArray beta, NdArray runningMean, NdArray runningVar,
                                    boolean training, double momentum, double eps) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchNorm of " + Arrays.toString(x.shape()) + " (needs [n, c, ...])");
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int inner = x.size() / Math.max(1, n * c);
        int count = n * inner;
        double[] mean = new double[c];
        double[] invStd = new double[c];
        if (training) {
            if (count < 2) {
                throw new IllegalArgumentException("batchNorm in training needs more than one value per channel, got "
                        + Arrays.toString(x.shape()));
            }
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * inner;
                    for (int i = 0; i < inner; i++) {
                        s += x.getFlat(base + i);
                    }
                }
                double m = s / count;
                double v = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * inner;
                    for (int i = 0; i < inner; i++) {
                        double dv = x.getFlat(base + i) - m;
                        v += dv * dv;
                    }
                }
                double var = v / count;
                mean[ch] = m;
                invStd[ch] = 1 / Math.sqrt(var + eps);
                if (runningMean != null) {
                    runningMean.setFlat(ch, (1 - momentum) * runningMean.getFlat(ch) + momentum * m);
                }
                if (runningVar != null) {
                    runningVar.setFlat(ch, (1 - momentum) * runningVar.getFlat(ch) + momentum * v / (count - 1));
                }
            }
        } else {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batchNorm in evaluation needs running statistics");
            }
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = runningMean.getFlat(ch);
                invStd[ch] = 1 / Math.sqrt(runningVar.getFlat(ch) + eps);
            }
        }
        NdArray y = F.like(x);
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (b * c + ch) * inner;
                double a = invStd[ch] * (gamma == null ? 1 : gamma.getFlat(ch));
                double sh = (beta == null ? 0 : beta.getFlat(ch)) - mean[ch] * a;
                affine(x, y, base, inner, a, sh);
            }
        }
        Graph g = Autograd.tracking(x, gamma, beta);
        if (g != null) {
            Autograd.record(g, "batch_norm", y, gy -> {
                double[] sumDy = new double[c];
                double[] sumDyXhat = new double[c];
                for (int b = 0; b < n; b++) {
                    for (int ch = 0; ch < c; ch++) {
                        int base = (b * c + ch) * inner;
                        for (int i = 0; i < inner; i++) {
                            double dy = gy.getFlat(base + i);
                            sumDy[ch] += dy;
                            sumDyXhat[ch] += dy * (x.getFlat(base + i) - mean[ch]) * invStd[ch];
                        }
                    }
                }
                affineGrads(g, gamma, beta, sumDyXhat, sumDy);
                if (g.needs(x)) {
                    NdArray gx = F.like(x);
                    for (int b = 0; b < n; b++) {
                        for (int ch = 0; ch < c; ch++) {
                            int base = (b * c + ch) * inner;
                            double gm = gamma == null ? 1 : gamma.getFlat(ch);
                            for (int i = 0; i < inner; i++) {
                                double dy = gy.getFlat(base + i);
                                double v;
                                if (training) {
                                    double xhat = (x.getFlat(base + i) - mean[ch]) * invStd[ch];
                                    v = gm * invStd[ch] * (dy - sumDy[ch] / count - xhat * sumDyXhat[ch] / count);
                                } else {
                                    v = gm * invStd[ch] * dy;
                                }
                                gx.setFlat(base + i, v);
                            }
                        }
                    }
                    Autograd.accumulate(g, x, gx);
                }
            });
        }
        return y;
    }

    /**
     * Group normalization of x [n, c, ...]: statistics per example over groups of c / groups channels and all
     * positions; {@code gamma}, {@code beta} [c] may be null.
     */
    public static NdArray groupNorm(NdArray x, int groups, NdArray gamma, NdArray beta, double eps) {
        if (x.rank() < 2 || groups < 1 || x.dim(1) % groups != 0) {
            throw new IllegalArgumentException("groupNorm with " + groups + " groups of " + Arrays.toString(x.shape())
                    + " (channels must divide into the groups)");
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int inner = x.size() / Math.max(1, n * c);
        int per = c / groups;
        int count = per * inner;
        double[] mean = new double[n * groups];
        double[] invStd = new double[n * groups];
        NdArray y = F.like(x);
        for (int b = 0; b < n; b++) {
            for (int gr = 0; gr < groups; gr++) {
                int base = (b * c + gr * per) * inner;
                double[] mv = moments(x, base, count);
                int k = b * groups + gr;
                mean[k] = mv[0];
                invStd[k] = 1 / Math.sqrt(mv[1] + eps);
                for (int ch = gr * per; ch < (gr + 1) * per; ch++) {
                    double a = invStd[k] * (gamma == null ? 1 : gamma.getFlat(ch));
                    double sh = (beta == null ? 0 : beta.getFlat(ch)) - mean[k] * a;
                    affine(x, y, (b * c + ch) * inner, inner, a, sh);
                }
            }
        }
        Graph g = Autograd.tracking(x, gamma, beta);
        if (g != null) {
            Autograd.record(g, "group_norm", y, gy -> {
                double[] sumDy = new double[c];
                double[] sumDyXhat = new double[c];
                NdArray gx = g.needs(x) ? F.like(x) : null;
                for (int b = 0; b < n; b++) {
                    for (int gr = 0; gr < groups; gr++) {
                        int k = b * groups + gr;
                        double sDxhat = 0;
                        double sDxhatXhat = 0;
                        for (int ch = gr * per; ch < (gr + 1) * per; ch++) {
                            int base = (b * c + ch) * inner;
                            double gm = gamma == null ? 1 : gamma.getFlat(ch);
                            for (int i = 0; i < inner; i++) {
                                double dy = gy.getFlat(base + i);
                                double xhat = (x.getFlat(base + i) - mean[k]) * invStd[k];
                                sumDy[ch] += dy;
                                sumDyXhat[ch] += dy * xhat;
                                sDxhat += dy * gm;
                                sDxhatXhat += dy * gm * xhat;
                            }
                        }
                        if (gx != null) {
                            for (int ch = gr * per; ch < (gr + 1) * per; ch++) {
                                int base = (b * c + ch) * inner;
                                double gm = gamma == null ? 1 : gamma.getFlat(ch);
                                for (int i = 0; i < inner; i++) {
                                    double xhat = (x.getFlat(base + i) - mean[k]) * invStd[k];
                                    double dxhat = gy.getFlat(base + i) * gm;
                                    gx.setFlat(base + i, invStd[k] * (dxhat - sDxhat / count - xhat * sDxhatXhat / count));
                                }
                            }
                        }
                    }
                }
                affineGrads(g, gamma, beta, sumDyXhat, sumDy);
                if (gx != null) {
                    Autograd.accumulate(g, x, gx);
                }
            });
        }
        return y;
    }

    /** Layer normalization of x [..., d] over its last dimension; {@code gamma}, {@code beta} [d] may be null. */
    public static NdArray layerNorm(NdArray x, NdArray gamma, NdArray beta, double eps) {
        int d = x.dim(-1);
        int rows = x.size() / Math.max(1, d);
        double[] mean = new double[rows];
        double[] invStd = new double[rows];
        NdArray y = F.like(x);
        for (int r = 0; r < rows; r++) {
            double[] mv = moments(x, r * d, d);
            mean[r] = mv[0];
            invStd[r] = 1 / Math.sqrt(mv[1] + eps);
            for (int j = 0; j < d; j++) {
                double xhat = (x.getFlat(r * d + j) - mean[r]) * invStd[r];
                y.setFlat(r * d + j, xhat * (gamma == null ? 1 : gamma.getFlat(j)) + (beta == null ? 0 : beta.getFlat(j)));
            }
        }
        Graph g = Autograd.tracking(x, gamma, beta);
        if (g != null) {
            Autograd.record(g, "layer_norm", y, gy -> {
                double[] sumDy = new double[d];
                double[] sumDyXhat = new double[d];
                NdArray gx = g.needs(x) ? F.like(x) : null;
                for (int r = 0; r < rows; r++) {
                    double sDxhat = 0;
                    double sDxhatXhat = 0;
                    for (int j = 0; j < d; j++) {
                        double dy = gy.getFlat(r * d + j);
                        double xhat = (x.getFlat(r * d + j) - mean[r]) * invStd[r];
                        double gm = gamma == null ? 1 : gamma.getFlat(j);
                        sumDy[j] += dy;
                        sumDyXhat[j] += dy * xhat;
                        sDxhat += dy * gm;
                        sDxhatXhat += dy * gm * xhat;
                    }
                    if (gx != null) {
                        for (int j = 0; j < d; j++) {
                            double xhat = (x.getFlat(r * d + j) - mean[r]) * invStd[r];
                            double dxhat = gy.getFlat(r * d + j) * (gamma == null ? 1 : gamma.getFlat(j));
                            gx.setFlat(r * d + j, invStd[r] * (dxhat - sDxhat / d - xhat * sDxhatXhat / d));
                        }
                    }
                }
                affineGrads(g, gamma, beta, sumDyXhat, sumDy);
                if (gx != null) {
                    Autograd.accumulate(g, x, gx);
                }
            });
        }
        return y;
    }

    /** {mean, biased variance} of count values from offset. */
    private static double[] moments(NdArray x, int offset, int count) {
        double s = 0;
        for (int i = 0; i < count; i++) {
            s += x.getFlat(offset + i);
        }
        double m = s / count;
        double v = 0;
        for (int i = 0; i < count; i++) {
            double dv = x.getFlat(offset + i) - m;
            v += dv * dv;
        }
        return new double[] {m, v / count};
    }

    /** y[base..base+len) = a x + b. */
    private static void affine(NdArray x, NdArray y, int base, int len, double a, double b) {
        if (x.dtype() == DType.F32) {
            float[] xf = x.f();
            float[] yf = y.f();
            float af = (float) a;
            float bf = (float) b;
            for (int i = 0; i < len; i++) {
                yf[base + i] = xf[base + i] * af + bf;
            }
        } else {
            double[] xd = x.d();
            double[] yd = y.d();
            for (int i = 0; i < len; i++) {
                yd[base + i] = xd[base + i] * a + b;
            }
        }
    }

    private static void affineGrads(Graph g, NdArray gamma, NdArray beta, double[] sumDyXhat, double[] sumDy) {
        if (gamma != null && g.needs(gamma)) {
            Autograd.accumulate(g, gamma, values(gamma, sumDyXhat));
        }
        if (beta != null && g.needs(beta)) {
            Autograd.accumulate(g, beta, values(beta, sumDy));
        }
    }

    private static NdArray values(NdArray like, double[] v) {
        NdArray out = NdArray.allocate(like.dtype(), false, like.shape());
        for (int i = 0; i < v.length; i++) {
            out.setFlat(i, v[i]);
        }
        return out;
    }
}
