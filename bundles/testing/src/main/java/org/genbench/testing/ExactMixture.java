package org.genbench.testing;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.Model;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * An isotropic Gaussian mixture in d dimensions with its exact noise predictor and noise-conditional score: the
 * Bayes-optimal networks of a diffusion and a score model, so a sampler run on them must reproduce the mixture up to
 * its own discretization. For {@link #conditional} mixtures the class is the component (label -1: the whole mixture),
 * so guidance and per-class sampling can be checked too. With x_t = sqrt(abar) x_0 + sqrt(1 - abar) eps, q_t(x) =
 * sum_k pi_k N(x; sqrt(abar) mu_k, (abar s_k^2 + 1 - abar) I) and eps = -sqrt(1 - abar) grad log q_t; the score at
 * noise level sigma is grad log sum_k pi_k N(x; mu_k, (s_k^2 + sigma^2) I).
 */
public class ExactMixture implements Model, NoisePredictor, NoiseConditionalScore {
    final double[][] means;
    final double[] sds;
    final double[] weights;
    final int dim;
    private final double[] alphaBars;
    private final double[] sigmas;
    private final DataScaling scaling;
    /** How many examples went through the networks; the labels of the last call (null when none). */
    public long evaluations;
    public int[] lastLabels;

    public ExactMixture(double[][] means, double[] sds, double[] weights, double[] alphaBars, double[] sigmas,
                        DataScaling scaling) {
        this.means = means;
        this.sds = sds;
        this.weights = weights;
        this.dim = means[0].length;
        this.alphaBars = alphaBars;
        this.sigmas = sigmas;
        this.scaling = scaling;
    }

    /** Two well separated, unequal modes in 2-D. */
    public static ExactMixture twoModes(double[] alphaBars, double[] sigmas) {
        return new ExactMixture(new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[] {0.3, 0.45}, new double[] {0.3, 0.7},
                alphaBars, sigmas, DataScaling.identity());
    }

    /** The same mixture whose components are classes (a {@link Conditional} model). */
    public static ExactMixture conditional(ExactMixture m) {
        return new Labelled(m);
    }

    /** A conditional version: class k is component k. */
    static final class Labelled extends ExactMixture implements Conditional {
        Labelled(ExactMixture m) {
            super(m.means, m.sds, m.weights, m.alphaBars, m.sigmas, m.scaling);
        }

        @Override
        public int numClasses() {
            return means.length;
        }

        @Override
        public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
            int n = (int) labels.size();
            Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, dim);
            for (int i = 0; i < n; i++) {
                int k = (int) labels.getDouble(i);
                for (int j = 0; j < dim; j++) {
                    t.setDouble((long) i * dim + j, means[k][j] + sds[k] * rng.nextGaussian());
                }
            }
            return t;
        }
    }

    public int dimension() {
        return dim;
    }

    /** Exact draws, n x dim, row-major. */
    public double[] draw(int n, Rng rng) {
        double[] out = new double[n * dim];
        for (int i = 0; i < n; i++) {
            int k = component(rng);
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = means[k][j] + sds[k] * rng.nextGaussian();
            }
        }
        return out;
    }

    /** Exact draws of component k. */
    public double[] drawComponent(int k, int n, Rng rng) {
        double[] out = new double[n * dim];
        for (int i = 0; i < n * dim; i++) {
            out[i] = means[k][i % dim] + sds[k] * rng.nextGaussian();
        }
        return out;
    }

    private int component(Rng rng) {
        double u = rng.nextDouble();
        int k = 0;
        double c = weights[0];
        while (u > c && k < weights.length - 1) {
            c += weights[++k];
        }
        return k;
    }

    /** grad log of sum_k w_k N(x; a mu_k, (a^2 s_k^2 + v) I), over the components allowed (one, or all for -1). */
    private void gradLog(float[] x, int o, double a, double v, int label, double[] out) {
        int kk = means.length;
        double[] logw = new double[kk];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < kk; k++) {
            if (label >= 0 && k != label) {
                logw[k] = Double.NEGATIVE_INFINITY;
                continue;
            }
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
            if (logw[k] == 0) {
                continue;
            }
            double var = a * a * sds[k] * sds[k] + v;
            for (int j = 0; j < dim; j++) {
                out[j] -= logw[k] / z * (x[o + j] - a * means[k][j]) / var;
            }
        }
    }

    private int[] labelsOf(Tensor labels, int n) {
        lastLabels = null;
        if (labels == null) {
            return null;
        }
        if (!(this instanceof Conditional)) {
            throw new IllegalArgumentException("this mixture is not conditional; pass no labels");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) labels.getDouble(i);
        }
        lastLabels = out;
        return out;
    }

    private static float[] floats(Tensor t) {
        float[] v = new float[(int) t.size()];
        FloatBuffer b = t.buffer().nioBuffer(0, v.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        b.get(v);
        return v;
    }

    private static Tensor tensorLike(Tensor x, float[] values) {
        Tensor t = Tensor.allocate(x.allocator(), DType.FLOAT32, x.shape());
        t.buffer().nioBuffer(0, values.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return t;
    }

    @Override
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    @Override
    public Tensor predictNoise(Tensor xt, Tensor t, Tensor labels) {
        int n = (int) xt.rows();
        int[] lab = labelsOf(labels, n);
        float[] x = floats(xt);
        float[] out = new float[x.length];
        double[] g = new double[dim];
        for (int i = 0; i < n; i++) {
            double ab = alphaBars[(int) t.getDouble(i) - 1];
            gradLog(x, i * dim, Math.sqrt(ab), 1 - ab, lab == null ? -1 : lab[i], g);
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) (-Math.sqrt(1 - ab) * g[j]);
            }
        }
        evaluations += n;
        return tensorLike(xt, out);
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public Tensor score(Tensor x, Tensor sigma, Tensor labels) {
        int n = (int) x.rows();
        int[] lab = labelsOf(labels, n);
        float[] v = floats(x);
        float[] out = new float[v.length];
        double[] g = new double[dim];
        for (int i = 0; i < n; i++) {
            double s = sigma.getDouble(i);
            gradLog(v, i * dim, 1, s * s, lab == null ? -1 : lab[i], g);
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) g[j];
            }
        }
        evaluations += n;
        return tensorLike(x, out);
    }

    @Override
    public DataScaling scaling() {
        return scaling;
    }

    @Override
    public DataInfo data() {
        return new DataInfo("mixture", new long[] {dim}, DataInfo.CONTINUOUS, this instanceof Conditional ? means.length : 0,
                null);
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    /**
     * The energy distance sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|) (V-statistics, as scipy's in one dimension) between
     * two sets of rows of {@code dim}.
     */
    public static double energyDistance(double[] a, double[] b, int dim) {
        return Math.sqrt(Math.max(0, 2 * meanDistance(a, b, dim) - meanDistance(a, a, dim) - meanDistance(b, b, dim)));
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
