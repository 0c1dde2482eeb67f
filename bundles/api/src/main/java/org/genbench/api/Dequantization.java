package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * Discrete data as a continuous density model sees it, and what that costs in the log-likelihood: the one place
 * where genbench's dequantization and bits/dim conventions live, shared by datasets (which declare it in
 * {@link DataInfo#dequantization()}), models, trainers and evaluators.
 *
 * <p>Values are integers {@code 0..levels-1} (8-bit pixels: 256 levels). <b>Uniform dequantization</b> (Theis et
 * al. 2016; as in RealNVP, Glow, MAF, DDPM) hands a density model {@code x' = (x + u) / levels} with {@code u ~
 * U[0,1)} per value. For any density p on {@code [0,1)^D}, the discrete model {@code P(x) = integral of p over x's
 * cell} satisfies {@code log P(x) >= E_u[log p(x')] - D ln levels} (Jensen), so the mean of
 * {@code log p(x') - D ln levels} over test examples (one draw of u each) estimates a lower bound on the discrete
 * log-likelihood without bias, and {@code -that / (D ln 2)} is the bits/dim the literature quotes ({@link #bitsPerDim}).
 *
 * <p>An optional <b>logit pre-transform</b> (Dinh et al. 2017, section 4.1): a model works on
 * {@code y = logit(alpha + (1 - 2 alpha) x')} and adds {@code log |dy/dx'|} ({@link #logitLogJacobian}) to its
 * log-density, so that the density it reports stays the density of x' and the numbers stay comparable. alpha 0
 * means no pre-transform.
 */
public record Dequantization(int levels, double logitAlpha) {
    private static final double LN2 = Math.log(2);

    public Dequantization {
        if (levels < 2 || levels > 65536) {
            throw new IllegalArgumentException("levels must be in 2..65536, was " + levels);
        }
        if (!(logitAlpha >= 0 && logitAlpha < 0.5)) {
            throw new IllegalArgumentException("logitAlpha must be in [0, 0.5) (0: no logit pre-transform), was "
                    + logitAlpha);
        }
    }

    /** 8-bit values, uniform dequantization, no pre-transform. */
    public static Dequantization uniform8Bit() {
        return new Dequantization(256, 0);
    }

    /** 8-bit values, uniform dequantization, then the logit pre-transform with {@code alpha}. */
    public static Dequantization logit8Bit(double alpha) {
        return new Dequantization(256, alpha);
    }

    public boolean hasLogit() {
        return logitAlpha > 0;
    }

    // ------------------------------------------------------------------ uniform dequantization

    /** {@code (value + u) / levels}, kept below 1 (float rounding of {@code (255 + u) / 256} could reach 1.0). */
    public double dequantize(double value, double u) {
        return Math.min(Math.nextDown(1.0), (value + u) / levels);
    }

    /** As {@link #dequantize(double, double)} in float32, kept below 1 in float32. */
    public float dequantizeFloat(double value, double u) {
        return Math.min(Math.nextDown(1f), (float) ((value + u) / levels));
    }

    /**
     * {@code count} values of {@code x} from {@code from} dequantized into {@code out} from {@code outFrom}, one
     * uniform draw of {@code rng} per value in order; fails naming the index of a value that is not a level.
     */
    public void dequantize(float[] x, int from, int count, Rng rng, float[] out, int outFrom) {
        for (int i = 0; i < count; i++) {
            float v = x[from + i];
            if (!(v >= 0 && v <= levels - 1 && v == Math.rint(v))) {
                throw notALevel(v, from + i);
            }
            out[outFrom + i] = dequantizeFloat(v, rng.nextDouble());
        }
    }

    /**
     * x dequantized, one uniform draw of {@code rng} per value in row-major order: float64 when x is, else float32,
     * shaped like x, from {@code allocator}. Fails naming the index of a value that is not a level.
     */
    public Tensor dequantize(Tensor x, Rng rng, BufferAllocator allocator) {
        boolean f64 = x.dtype() == DType.FLOAT64;
        Tensor out = Tensor.allocate(allocator, f64 ? DType.FLOAT64 : DType.FLOAT32, x.shape());
        try {
            for (long i = 0; i < x.size(); i++) {
                double v = x.getDouble(i);
                if (!(v >= 0 && v <= levels - 1 && v == Math.rint(v))) {
                    throw notALevel(v, i);
                }
                out.setDouble(i, f64 ? dequantize(v, rng.nextDouble()) : dequantizeFloat(v, rng.nextDouble()));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** The index of the first value of x that is not an integer in {@code 0..levels-1}, or -1. */
    public long firstNonLevel(Tensor x) {
        if (x.dtype() == DType.UINT8 && levels >= 256) {
            return -1;
        }
        for (long i = 0; i < x.size(); i++) {
            double v = x.getDouble(i);
            if (!(v >= 0 && v <= levels - 1 && v == Math.rint(v))) {
                return i;
            }
        }
        return -1;
    }

    /** The level whose cell holds {@code xPrime} in [0, 1): {@code floor(levels x')}, clipped to 0..levels-1. */
    public double quantize(double xPrime) {
        double v = Math.floor(xPrime * levels);
        return v < 0 ? 0 : Math.min(v, levels - 1);
    }

    /**
     * What uniform dequantization adds to a density's log-likelihood per example of {@code dimensions} values:
     * {@code -dimensions ln levels} (the cells have volume {@code levels^-D} in x' space).
     */
    public double logLikelihoodOffset(long dimensions) {
        return -dimensions * Math.log(levels);
    }

    // ------------------------------------------------------------------ logit pre-transform

    /** {@code y = logit(alpha + (1 - 2 alpha) x')}; the identity without a pre-transform. */
    public double toLogit(double xPrime) {
        if (!hasLogit()) {
            return xPrime;
        }
        double p = logitAlpha + (1 - 2 * logitAlpha) * xPrime;
        return Math.log(p) - Math.log1p(-p);
    }

    /** The inverse of {@link #toLogit}: {@code x' = (sigmoid(y) - alpha) / (1 - 2 alpha)}. */
    public double fromLogit(double y) {
        if (!hasLogit()) {
            return y;
        }
        double s = y >= 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
        return (s - logitAlpha) / (1 - 2 * logitAlpha);
    }

    /**
     * {@code log |dy/dx'|} of the pre-transform at {@code xPrime}: {@code ln(1 - 2 alpha) - ln p - ln(1 - p)} with
     * {@code p = alpha + (1 - 2 alpha) x'}; 0 without a pre-transform. A model's log-density of x' is its density
     * of y plus the sum of these over x's values.
     */
    public double logitLogJacobian(double xPrime) {
        if (!hasLogit()) {
            return 0;
        }
        double p = logitAlpha + (1 - 2 * logitAlpha) * xPrime;
        return Math.log1p(-2 * logitAlpha) - Math.log(p) - Math.log1p(-p);
    }

    // ------------------------------------------------------------------ reporting

    /**
     * Bits per dimension of a mean log-likelihood in nats over examples of {@code dimensions} values:
     * {@code -mean / (dimensions ln 2)}. For dequantized data pass the mean that includes
     * {@link #logLikelihoodOffset}: then it is the discrete data's bits/dim on the {@code levels} scale.
     */
    public static double bitsPerDim(double meanLogLikelihood, long dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be >= 1, was " + dimensions);
        }
        return -meanLogLikelihood / (dimensions * LN2);
    }

    /** The protocol sentence a metric carries. */
    public String describe() {
        String s = "uniform: x' = (x + u) / " + levels + ", u ~ U[0,1) per value, one draw per example; includes -ln "
                + levels + " per dimension";
        if (hasLogit()) {
            s += "; logit pre-transform y = logit(" + logitAlpha + " + (1 - 2*" + logitAlpha
                    + ") x') with its log-Jacobian in the model's density of x'";
        }
        return s;
    }

    private IllegalArgumentException notALevel(double v, long index) {
        return new IllegalArgumentException("dequantization needs integer values in 0.." + (levels - 1) + ", found " + v
                + " at index " + index);
    }
}
