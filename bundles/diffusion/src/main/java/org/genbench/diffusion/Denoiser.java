package org.genbench.diffusion;

import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataScaling;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.NoisePredictor;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.internal.Arrays32;

/**
 * A model's network as the reverse processes call it: eps(x, t | c) of a {@link NoisePredictor} or s(x, sigma | c) of
 * a {@link NoiseConditionalScore}, on Java arrays in chunks of at most {@code batchSize} examples, with classifier-free
 * guidance (Ho and Salimans 2022): with weight w > 0, {@code (1 + w) f(x | c) - w f(x | no class)}, both halves in one
 * network call of twice the rows. Counts the examples it pushes through the network.
 */
public final class Denoiser {
    @FunctionalInterface
    private interface Call {
        Tensor apply(Tensor x, double[] level, int from, int[] labels, int rows, BufferAllocator allocator);
    }

    private final Call call;
    private final long[] sampleShape;
    private final int dim;
    private final int batchSize;
    private final double guidance;
    private final BufferAllocator allocator;
    private final DataScaling scaling;
    private long evaluations;

    private Denoiser(Call call, long[] sampleShape, int batchSize, double guidance, BufferAllocator allocator,
                     DataScaling scaling) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, was " + guidance);
        }
        this.call = call;
        this.sampleShape = sampleShape.clone();
        this.dim = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        this.batchSize = batchSize;
        this.guidance = guidance;
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.scaling = Objects.requireNonNull(scaling, "the model's scaling");
    }

    /** eps(x, t | c) of a diffusion model; levels are the times t (whole numbers in 1..T). */
    public static Denoiser of(NoisePredictor model, long[] sampleShape, int batchSize, double guidance,
                              BufferAllocator allocator) {
        Schedules.checkAlphaBars(model.alphaBars());
        int timesteps = model.alphaBars().length;
        return new Denoiser((x, level, from, labels, rows, alloc) -> {
            int[] t = new int[rows];
            for (int i = 0; i < rows; i++) {
                double v = level[from + i];
                if (v != Math.rint(v) || v < 1 || v > timesteps) {
                    throw new IllegalArgumentException("time " + v + " is not a whole number in 1.." + timesteps);
                }
                t[i] = (int) v;
            }
            try (Tensor tt = Arrays32.ints(alloc, t, 0, rows);
                 Tensor lt = labels == null ? null : Arrays32.ints(alloc, labels, 0, rows)) {
                return model.predictNoise(x, tt, lt);
            }
        }, sampleShape, batchSize, guidance, allocator, model.scaling());
    }

    /** s(x, sigma | c) of a noise-conditional score model; levels are the noise scales sigma. */
    public static Denoiser of(NoiseConditionalScore model, long[] sampleShape, int batchSize, double guidance,
                              BufferAllocator allocator) {
        Schedules.checkSigmas(model.sigmas());
        return new Denoiser((x, level, from, labels, rows, alloc) -> {
            try (Tensor st = Arrays32.doubles(alloc, level, from, rows);
                 Tensor lt = labels == null ? null : Arrays32.ints(alloc, labels, 0, rows)) {
                return model.score(x, st, lt);
            }
        }, sampleShape, batchSize, guidance, allocator, model.scaling());
    }

    /** Values per example. */
    public int dimension() {
        return dim;
    }

    public long[] sampleShape() {
        return sampleShape.clone();
    }

    public DataScaling scaling() {
        return scaling;
    }

    public double guidance() {
        return guidance;
    }

    /** Examples pushed through the network so far (a guided example counts twice). */
    public long evaluations() {
        return evaluations;
    }

    /**
     * The network at {@code x} ({@code n * dimension()} values, example-major) and one level per example; {@code labels}
     * one per example (-1: no class) or null for a model without classes. Writes {@code n * dimension()} values to
     * {@code out}.
     */
    public void apply(float[] x, int n, double[] level, int[] labels, float[] out) {
        if (x.length < (long) n * dim || out.length < (long) n * dim || level.length < n) {
            throw new IllegalArgumentException("arrays too short for " + n + " examples of " + dim + " values");
        }
        if (guidance > 0 && labels == null) {
            throw new IllegalArgumentException("classifier-free guidance needs a conditional model and labels; guidance was "
                    + guidance);
        }
        for (int start = 0; start < n; start += batchSize) {
            int rows = Math.min(batchSize, n - start);
            if (guidance == 0) {
                int[] lab = labels == null ? null : Arrays.copyOfRange(labels, start, start + rows);
                evaluate(x, start, rows, level, start, lab, out, start, rows);
            } else {
                // one call on [x; x] with [c; no class]
                float[] both = new float[2 * rows * dim];
                System.arraycopy(x, start * dim, both, 0, rows * dim);
                System.arraycopy(x, start * dim, both, rows * dim, rows * dim);
                double[] lv = new double[2 * rows];
                System.arraycopy(level, start, lv, 0, rows);
                System.arraycopy(level, start, lv, rows, rows);
                int[] lab = new int[2 * rows];
                System.arraycopy(labels, start, lab, 0, rows);
                Arrays.fill(lab, rows, 2 * rows, -1);
                float[] res = new float[2 * rows * dim];
                evaluate(both, 0, 2 * rows, lv, 0, lab, res, 0, 2 * rows);
                float a = (float) (1 + guidance);
                float b = (float) guidance;
                int base = start * dim;
                int half = rows * dim;
                for (int i = 0; i < half; i++) {
                    out[base + i] = a * res[i] - b * res[half + i];
                }
            }
        }
    }

    private void evaluate(float[] x, int xFrom, int rows, double[] level, int levelFrom, int[] labels, float[] out,
                          int outFrom, int expectRows) {
        try (Tensor xt = Arrays32.floats(allocator, x, xFrom * dim, rows, sampleShape);
             Tensor r = call.apply(xt, level, levelFrom, labels, rows, allocator)) {
            if (r.size() != (long) expectRows * dim) {
                throw new IllegalStateException("the model returned " + r.size() + " values for " + expectRows
                        + " examples of " + dim);
            }
            Arrays32.read(r, out, outFrom * dim);
        }
        evaluations += rows;
    }
}
