package org.genbench.sampler.mcmc.internal;

import java.util.Arrays;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * The model seen as an unnormalized log density log p~(x) and, where a sampler needs it, its gradient, evaluated
 * for all chains in one model call each. States travel as flat float64 arrays {@code [chains * dim]}; the one
 * input tensor is allocated once and rewritten per call, because a fresh tensor per call would be most of the
 * cost for cheap models.
 */
final class Target implements AutoCloseable {
    private final Function<Tensor, Tensor> value;
    private final double valueSign;
    private final Function<Tensor, Tensor> gradient;
    private final double gradientSign;
    private final String source;
    private final Tensor input;
    private final int chains;
    private final int dim;
    private boolean cube;

    private Target(Function<Tensor, Tensor> value, double valueSign, Function<Tensor, Tensor> gradient,
            double gradientSign, String source, int chains, long[] sampleShape, BufferAllocator allocator) {
        this.value = value;
        this.valueSign = valueSign;
        this.gradient = gradient;
        this.gradientSign = gradientSign;
        this.source = source;
        this.chains = chains;
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = chains;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        this.dim = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        this.input = Tensor.allocate(allocator, DType.FLOAT64, shape);
    }

    /** log p from LogDensity when the model has it (normalized, so comparable across runs), else -E. */
    static Target density(Model model, int chains, BufferAllocator allocator) {
        return onCube(model, densityOf(model, chains, allocator));
    }

    private static Target densityOf(Model model, int chains, BufferAllocator allocator) {
        continuous(model);
        long[] shape = model.data().sampleShape();
        if (model instanceof LogDensity d) {
            return new Target(d::logDensity, 1, null, 0, "LogDensity", chains, shape, allocator);
        }
        if (model instanceof Energy e) {
            return new Target(e::energy, -1, null, 0, "Energy", chains, shape, allocator);
        }
        throw missing(model, "LogDensity or Energy");
    }

    /**
     * A log density with its gradient. Energy first: -E and -dE/dx come from one interface and so agree with
     * each other; otherwise LogDensity for the value and Score for the gradient.
     */
    static Target densityWithGradient(Model model, int chains, BufferAllocator allocator) {
        return onCube(model, densityWithGradientOf(model, chains, allocator));
    }

    private static Target densityWithGradientOf(Model model, int chains, BufferAllocator allocator) {
        continuous(model);
        long[] shape = model.data().sampleShape();
        if (model instanceof Energy e) {
            return new Target(e::energy, -1, e::energyGradient, -1, "Energy", chains, shape, allocator);
        }
        if (model instanceof LogDensity d && model instanceof Score s) {
            return new Target(d::logDensity, 1, s::score, 1, "LogDensity+Score", chains, shape, allocator);
        }
        throw missing(model, "Energy or (LogDensity and Score)");
    }

    /** -E and -dE/dx only. */
    static Target energy(Model model, int chains, BufferAllocator allocator) {
        continuous(model);
        if (model instanceof Energy e) {
            return onCube(model, new Target(e::energy, -1, e::energyGradient, -1, "Energy", chains,
                    model.data().sampleShape(), allocator));
        }
        throw missing(model, "Energy");
    }

    /**
     * On dequantized discrete data (no logit transform) the model is a density on [0, 1)^d: log p~ = -infinity
     * outside, so a proposal that leaves the cube is rejected and the chains target the truncated density exactly.
     */
    private static Target onCube(Model model, Target t) {
        org.genbench.api.Dequantization dq = model.data().dequantization();
        t.cube = dq != null && !dq.hasLogit();
        return t;
    }

    /** Whether the target is restricted to [0, 1)^d. */
    boolean cube() {
        return cube;
    }

    /**
     * These samplers move real-valued states; on a model of binary data (an RBM's free energy is defined between the
     * corners of the cube too) they would sample a distribution the model does not define.
     */
    private static void continuous(Model model) {
        if (org.genbench.api.DataInfo.BINARY.equals(model.data().kind())) {
            throw new IllegalArgumentException("this sampler moves continuous states, but " + model.data().name()
                    + " is binary data; sample a binary model with gibbs (BlockGibbs) or ancestral sampling");
        }
    }

    private static IllegalArgumentException missing(Model model, String needed) {
        return new IllegalArgumentException("this sampler needs a model with " + needed + ", got "
                + model.getClass().getName());
    }

    /** Which capability the numbers come from, for the diagnostics' protocol. */
    String source() {
        return source;
    }

    int dim() {
        return dim;
    }

    /** The shape of the chains' batch, {@code [chains, sampleShape...]}. */
    long[] batchShape() {
        return input.shape();
    }

    /** Fills {@code out[c]} with log p~ of state {@code c} of {@code x}. */
    void logDensity(double[] x, double[] out) {
        write(x);
        try (Tensor result = value.apply(input)) {
            read(result, out, valueSign, "log density");
        }
        if (cube) {
            for (int c = 0; c < chains; c++) {
                for (int j = c * dim; j < (c + 1) * dim; j++) {
                    if (!(x[j] >= 0 && x[j] < 1)) {
                        out[c] = Double.NEGATIVE_INFINITY;
                        break;
                    }
                }
            }
        }
    }

    /** Fills {@code out} (laid out like {@code x}) with grad_x log p~. */
    void gradient(double[] x, double[] out) {
        write(x);
        try (Tensor result = gradient.apply(input)) {
            read(result, out, gradientSign, "gradient");
        }
    }

    private void write(double[] x) {
        ArrowBuf buf = input.buffer();
        for (int i = 0; i < chains * dim; i++) {
            buf.setDouble(8L * i, x[i]);
        }
    }

    private static void read(Tensor result, double[] out, double sign, String what) {
        if (result.size() != out.length) {
            throw new IllegalStateException("the model's " + what + " has " + result.size() + " values, expected "
                    + out.length + " (" + result + ")");
        }
        if (result.dtype() == DType.FLOAT64) {
            ArrowBuf buf = result.buffer();
            for (int i = 0; i < out.length; i++) {
                out[i] = sign * buf.getDouble(8L * i);
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = sign * result.getDouble(i);
            }
        }
    }

    @Override
    public void close() {
        input.close();
    }
}
