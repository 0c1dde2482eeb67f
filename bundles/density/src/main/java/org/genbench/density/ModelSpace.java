package org.genbench.density;

import java.util.Arrays;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;

/**
 * Where a density model works, and how the data's units get there and back, with {@link Dequantization}'s
 * conventions. Three cases:
 * <ul>
 * <li>{@link Mode#IDENTITY}: continuous data, or binary data a discrete model scores as it is.</li>
 * <li>{@link Mode#DEQUANTIZE}: a continuous density of discrete data (a flow on 8-bit pixels). Training batches (in
 * the data's units, 0..255) are dequantized with fresh noise; held-out inputs arrive dequantized already (the
 * likelihood evaluator draws the noise) as x' in [0, 1). Either way the model sees {@code y = pre(x')}, the data's
 * logit pre-transform or the identity, and its log-density of x' is its log-density of y plus
 * {@code log |dy/dx'|} per example. Samples go back through the inverse pre-transform and are quantized to levels.</li>
 * <li>{@link Mode#QUANTIZE}: a discrete model of discrete data (PixelCNN's 256-way softmax). It trains on the levels
 * themselves; a dequantized input x' is scored at its level {@code floor(L x')} with the density
 * {@code P(level) L^D} (the discrete model seen as piecewise constant on the cells), so that after the evaluator's
 * {@code -D ln L} the reported number is exactly log P.</li>
 * </ul>
 */
public final class ModelSpace {
    public enum Mode { IDENTITY, DEQUANTIZE, QUANTIZE }

    /** Model-space values and the per-example log-Jacobian of the map that made them, in the model's element type. */
    public record Mapped(NdArray y, NdArray logJacobian) {
    }

    private final Mode mode;
    private final Dequantization dq;
    private final int dimension;

    private ModelSpace(Mode mode, Dequantization dq, int dimension) {
        this.mode = mode;
        this.dq = dq;
        this.dimension = dimension;
    }

    /**
     * The space of a continuous density model on {@code data}: the identity for continuous data, dequantization
     * (and the declared pre-transform) for discrete data (8-bit when it declares nothing); binary data is refused
     * naming {@code family}: a density of real values gives no probabilities to 0/1 values.
     */
    public static ModelSpace continuous(DataInfo data, String family) {
        int d = dimensionOf(data, family);
        return switch (data.kind()) {
            case DataInfo.CONTINUOUS -> new ModelSpace(Mode.IDENTITY, null, d);
            case DataInfo.DISCRETE -> new ModelSpace(Mode.DEQUANTIZE, declared(data), d);
            default -> throw new IllegalArgumentException(family + " is a density of real values; dataset '"
                    + data.name() + "' is " + data.kind() + " (use 8-bit or continuous data, e.g. fashion-mnist's"
                    + " pixels '8bit')");
        };
    }

    /**
     * The space of a discrete model with {@code levels} values per dimension (2 for binary data, 256 for 8-bit):
     * binary data as it is, discrete data through {@link Mode#QUANTIZE}; other data is refused naming {@code family}.
     */
    public static ModelSpace discrete(DataInfo data, String family) {
        int d = dimensionOf(data, family);
        return switch (data.kind()) {
            case DataInfo.BINARY -> new ModelSpace(Mode.IDENTITY, null, d);
            case DataInfo.DISCRETE -> new ModelSpace(Mode.QUANTIZE, declared(data), d);
            default -> throw new IllegalArgumentException(family + " models discrete values; dataset '" + data.name()
                    + "' is continuous (use binary or 8-bit data, e.g. fashion-mnist's binarize 'fixed' or pixels '8bit')");
        };
    }

    private static Dequantization declared(DataInfo data) {
        return data.dequantization() != null ? data.dequantization() : Dequantization.uniform8Bit();
    }

    private static int dimensionOf(DataInfo data, String family) {
        long dim = data.dimension();
        if (dim < 1 || dim > 1 << 24) {
            throw new IllegalArgumentException(family + " needs between 1 and " + (1 << 24) + " values per example;"
                    + " dataset '" + data.name() + "' has " + dim);
        }
        return (int) dim;
    }

    public Mode mode() {
        return mode;
    }

    /** The data's dequantization (DEQUANTIZE and QUANTIZE), else null. */
    public Dequantization dequantization() {
        return dq;
    }

    /** Values per example. */
    public int dimension() {
        return dimension;
    }

    /** Levels per value of discrete data (2 for binary), 0 for continuous data. */
    public int levels() {
        return dq != null ? dq.levels() : 0;
    }

    /**
     * A training batch (data units, {@code [n, ...]}) in model space as [n, D]: dequantized with noise from
     * {@code rng} and pre-transformed for DEQUANTIZE, as it is otherwise (checked to be levels for QUANTIZE). In every
     * mode the model's log-probability plus {@link Mapped#logJacobian} is a log-density of x' (as
     * {@link #scoring} gives it), and adding {@link #offset()} gives the data's log-likelihood.
     */
    public Mapped training(Tensor x, Rng rng, DType dtype) {
        int n = rowsOf(x);
        return switch (mode) {
            case IDENTITY -> new Mapped(flat(NdArray.fromTensor(x, dtype), n), NdArray.zeros(dtype, n));
            case QUANTIZE -> {
                long bad = dq.firstNonLevel(x);
                if (bad >= 0) {
                    throw new IllegalArgumentException("expected levels 0.." + (dq.levels() - 1) + ", found "
                            + x.getDouble(bad) + " at index " + bad);
                }
                // as in scoring: the levels' probability seen as a density of x', so that offsets add up alike
                yield new Mapped(flat(NdArray.fromTensor(x, dtype), n), NdArray.full(dtype, -dq.logLikelihoodOffset(dimension), n));
            }
            case DEQUANTIZE -> {
                NdArray xp = NdArray.zeros(dtype, n, dimension);
                for (int i = 0; i < xp.size(); i++) {
                    double v = x.getDouble(i);
                    if (!(v >= 0 && v <= dq.levels() - 1 && v == Math.rint(v))) {
                        throw new IllegalArgumentException("expected levels 0.." + (dq.levels() - 1) + ", found " + v
                                + " at index " + i);
                    }
                    xp.setFlat(i, dtype == DType.F32 ? dq.dequantizeFloat(v, rng.nextDouble())
                            : dq.dequantize(v, rng.nextDouble()));
                }
                yield preTransform(xp);
            }
        };
    }

    /**
     * Held-out inputs in the space {@link org.genbench.api.LogDensity} is defined on (x' in [0, 1) for discrete data,
     * the values themselves otherwise), {@code [n, D]}, to model space, recorded for differentiation in x.
     */
    public Mapped scoring(NdArray x) {
        int n = x.dim(0);
        return switch (mode) {
            case IDENTITY -> new Mapped(x, NdArray.zeros(x.dtype(), n));
            case DEQUANTIZE -> preTransform(x);
            case QUANTIZE -> {
                NdArray levels = NdArray.zeros(x.dtype(), n, dimension);
                for (int i = 0; i < levels.size(); i++) {
                    double v = x.getFlat(i);
                    if (!(v >= 0 && v < 1)) {
                        throw new IllegalArgumentException("a discrete model scores dequantized values in [0, 1),"
                                + " found " + v + " at index " + i);
                    }
                    levels.setFlat(i, dq.quantize(v));
                }
                yield new Mapped(levels, NdArray.full(x.dtype(), -dq.logLikelihoodOffset(dimension), n));
            }
        };
    }

    /** y = pre(x') and log |dy/dx'| per example (0 without a pre-transform). */
    private Mapped preTransform(NdArray xp) {
        int n = xp.dim(0);
        if (!dq.hasLogit()) {
            return new Mapped(xp, NdArray.zeros(xp.dtype(), n));
        }
        double a = dq.logitAlpha();
        NdArray p = F.add(F.mul(xp, 1 - 2 * a), a);
        NdArray logP = F.log(p);
        NdArray log1mP = F.log1p(F.neg(p));
        NdArray y = F.sub(logP, log1mP);
        NdArray jac = F.add(F.neg(Losses.rowSums(F.add(logP, log1mP))), dimension * Math.log1p(-2 * a));
        return new Mapped(y, jac);
    }

    /** Model-space samples [n, D] to the data's units: inverse pre-transform and quantization for DEQUANTIZE. */
    public NdArray toData(NdArray y) {
        if (mode != Mode.DEQUANTIZE) {
            return y;
        }
        NdArray out = NdArray.zeros(y.dtype(), y.shape());
        for (int i = 0; i < y.size(); i++) {
            double v = y.getFlat(i);
            out.setFlat(i, dq.quantize(dq.fromLogit(Double.isNaN(v) ? 0 : v)));
        }
        return out;
    }

    /** What dequantization adds per example to a log-density of x' to give the data's log-likelihood. */
    public double offset() {
        return mode == Mode.IDENTITY ? 0 : dq.logLikelihoodOffset(dimension);
    }

    /** Bits/dim of a mean log-density of x' (for discrete data on the levels' scale, with the offset). */
    public double bitsPerDim(double meanLogDensity) {
        return Dequantization.bitsPerDim(meanLogDensity + offset(), dimension);
    }

    /** For checkpoints and listings. */
    public String describe() {
        return mode + (dq == null ? "" : " " + dq);
    }

    private NdArray flat(NdArray a, int n) {
        return F.reshape(a, n, dimension);
    }

    private int rowsOf(Tensor x) {
        if (x.rank() < 1 || x.rowSize() != dimension) {
            throw new IllegalArgumentException("expected examples of " + dimension + " values, got "
                    + Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }
}
