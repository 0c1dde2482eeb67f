package org.genbench.diffusion;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.Model;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.internal.Arrays32;

/**
 * An isotropic Gaussian mixture in d dimensions with its exact noise predictor and noise-conditional score: the
 * Bayes-optimal networks, so a reverse process run on them must reproduce the mixture up to its own discretization.
 * q_t(x) = sum_k pi_k N(x; sqrt(abar) mu_k, (abar s_k^2 + 1 - abar) I); eps = -sqrt(1 - abar) grad log q_t; the score
 * at noise level sigma is grad log sum_k pi_k N(x; mu_k, (s_k^2 + sigma^2) I).
 */
class Mixture implements Model, NoisePredictor, NoiseConditionalScore {
    final double[][] means;
    final double[] sds;
    final double[] weights;
    final int dim;
    private final double[] alphaBars;
    private final double[] sigmas;
    private final DataScaling scaling;
    /** Labels seen by the last call (null when none), to check what samplers pass. */
    int[] lastLabels;

    Mixture(double[][] means, double[] sds, double[] weights, double[] alphaBars, double[] sigmas, DataScaling scaling) {
        this.means = means;
        this.sds = sds;
        this.weights = weights;
        this.dim = means[0].length;
        this.alphaBars = alphaBars;
        this.sigmas = sigmas;
        this.scaling = scaling;
    }

    /** Two well separated modes in 2-D. */
    static Mixture twoModes(double[] alphaBars, double[] sigmas) {
        return new Mixture(new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[] {0.3, 0.45}, new double[] {0.3, 0.7},
                alphaBars, sigmas, DataScaling.identity());
    }

    /** Exact draws, n x dim. */
    double[] draw(int n, Rng rng) {
        double[] out = new double[n * dim];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int k = 0;
            double c = weights[0];
            while (u > c && k < weights.length - 1) {
                c += weights[++k];
            }
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = means[k][j] + sds[k] * rng.nextGaussian();
            }
        }
        return out;
    }

    /** grad log of the mixture with means scaled by a, variances s^2 a^2... : N(x; a mu_k, (a^2 s_k^2 + v) I). */
    private void gradLog(float[] x, int o, double a, double v, double[] out) {
        int kk = means.length;
        double[] logw = new double[kk];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < kk; k++) {
            double var = a * a * sds[k] * sds[k] + v;
            double sq = 0;
            for (int j = 0; j < dim; j++) {
                double d = x[o + j] - a * means[k][j];
                sq += d * d;
            }
            logw[k] = Math.log(weights[k]) - 0.5 * dim * Math.log(var) - 0.5 * sq / var;
            max = Math.max(max, logw[k]);
        }
        double z = 0;
        for (int k = 0; k < kk; k++) {
            logw[k] = Math.exp(logw[k] - max);
            z += logw[k];
        }
        java.util.Arrays.fill(out, 0);
        for (int k = 0; k < kk; k++) {
            double var = a * a * sds[k] * sds[k] + v;
            for (int j = 0; j < dim; j++) {
                out[j] -= logw[k] / z * (x[o + j] - a * means[k][j]) / var;
            }
        }
    }

    @Override
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    @Override
    public Tensor predictNoise(Tensor xt, Tensor t, Tensor labels) {
        lastLabels = labels == null ? null : Arrays32.toInts(labels);
        float[] x = Arrays32.toFloats(xt);
        int n = (int) xt.rows();
        float[] out = new float[x.length];
        double[] g = new double[dim];
        for (int i = 0; i < n; i++) {
            double ab = alphaBars[(int) t.getDouble(i) - 1];
            gradLog(x, i * dim, Math.sqrt(ab), 1 - ab, g);
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) (-Math.sqrt(1 - ab) * g[j]);
            }
        }
        return Arrays32.floats(xt.allocator(), out, 0, n, new long[] {dim});
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public Tensor score(Tensor x, Tensor sigma, Tensor labels) {
        lastLabels = labels == null ? null : Arrays32.toInts(labels);
        float[] v = Arrays32.toFloats(x);
        int n = (int) x.rows();
        float[] out = new float[v.length];
        double[] g = new double[dim];
        for (int i = 0; i < n; i++) {
            double s = sigma.getDouble(i);
            gradLog(v, i * dim, 1, s * s, g);
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) g[j];
            }
        }
        return Arrays32.floats(x.allocator(), out, 0, n, new long[] {dim});
    }

    @Override
    public DataScaling scaling() {
        return scaling;
    }

    @Override
    public DataInfo data() {
        return new DataInfo("mixture", new long[] {dim}, DataInfo.CONTINUOUS, 0, null);
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    static Denoiser noise(Mixture m, BufferAllocator allocator) {
        return Denoiser.of((NoisePredictor) m, new long[] {m.dim}, 256, 0, allocator);
    }

    static Denoiser score(Mixture m, BufferAllocator allocator) {
        return Denoiser.of((NoiseConditionalScore) m, new long[] {m.dim}, 256, 0, allocator);
    }

    /** The energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (V-statistics) between two sample sets of rows of dim. */
    static double energyDistance(double[] a, double[] b, int dim) {
        return 2 * meanDistance(a, b, dim) - meanDistance(a, a, dim) - meanDistance(b, b, dim);
    }

    static double[] toDoubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static double meanDistance(double[] a, double[] b, int dim) {
        int na = a.length / dim;
        int nb = b.length / dim;
        double s = 0;
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                double sq = 0;
                for (int k = 0; k < dim; k++) {
                    double d = a[i * dim + k] - b[j * dim + k];
                    sq += d * d;
                }
                s += Math.sqrt(sq);
            }
        }
        return s / ((double) na * nb);
    }
}
