package org.genbench.model.rbm.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * An RBM over the data (or, inside a DBN, over the layer below): its free energy as {@link Energy}, its exact
 * conditionals as {@link BlockGibbs}, trained by {@link ContrastiveTrainable} steps. Checkpoints hold the weights, the
 * momentum buffers, the step count and the running mean of the data it was trained on.
 */
class RbmModel implements Model, Energy, BlockGibbs, ContrastiveTrainable, Persistent {
    final RbmLayer layer;
    private final DataInfo info;
    private final long[] sampleShape;
    private final Map<String, Object> settings;

    /**
     * @param settings what a checkpoint must agree with besides the shapes (the family's resolved config)
     */
    RbmModel(RbmLayer layer, DataInfo info, Map<String, Object> settings) {
        this.layer = layer;
        this.info = info;
        this.sampleShape = info.sampleShape();
        this.settings = Map.copyOf(settings);
        if (info.dimension() != layer.d) {
            throw new IllegalArgumentException("data of " + info.dimension() + " values per example for an RBM with "
                    + layer.d + " visible units");
        }
    }

    @Override
    public DataInfo data() {
        return info;
    }

    @Override
    public long parameterCount() {
        return layer.parameterCount();
    }

    // ---- Energy: the free energy of v

    @Override
    public Tensor energy(Tensor x) {
        int n = rows(x, layer.d, "x");
        double[] out = new double[n];
        layer.freeEnergy(x.toDoubleArray(), n, out, new double[n * layer.h]);
        return Tensor.ofDoubles(x.allocator(), out, n);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        int n = rows(x, layer.d, "x");
        double[] out = new double[n * layer.d];
        layer.freeEnergyGradient(x.toDoubleArray(), n, out);
        return Tensor.ofDoubles(x.allocator(), out, x.shape());
    }

    // ---- BlockGibbs

    @Override
    public Units visibleUnits() {
        return layer.gaussian ? Units.GAUSSIAN : Units.BERNOULLI;
    }

    @Override
    public int hiddenUnits() {
        return layer.h;
    }

    @Override
    public Tensor hiddenField(Tensor visible) {
        int n = rows(visible, layer.d, "visible");
        double[] out = new double[n * layer.h];
        layer.hiddenField(visible.toDoubleArray(), n, out);
        return Tensor.ofDoubles(visible.allocator(), out, n, layer.h);
    }

    @Override
    public Tensor visibleEnergy(Tensor visible) {
        int n = rows(visible, layer.d, "visible");
        double[] out = new double[n];
        layer.visibleEnergy(visible.toDoubleArray(), n, out);
        return Tensor.ofDoubles(visible.allocator(), out, n);
    }

    @Override
    public Tensor visibleField(Tensor hidden) {
        int n = rows(hidden, layer.h, "hidden");
        double[] out = new double[n * layer.d];
        layer.visibleField(hidden.toDoubleArray(), n, out);
        return Tensor.ofDoubles(hidden.allocator(), out, visibleShape(n));
    }

    @Override
    public Tensor visibleVariance(BufferAllocator allocator) {
        if (!layer.gaussian) {
            return BlockGibbs.super.visibleVariance(allocator);
        }
        double[] v = new double[layer.d];
        Arrays.fill(v, layer.sigma * layer.sigma);
        return Tensor.ofDoubles(allocator, v, sampleShape);
    }

    @Override
    public Tensor sampleHidden(Tensor visible, Rng rng) {
        int n = rows(visible, layer.d, "visible");
        double[] out = new double[n * layer.h];
        layer.sampleHidden(visible.toDoubleArray(), n, rng, out);
        return Tensor.of(visible.allocator(), DType.FLOAT32, out, n, layer.h);
    }

    @Override
    public Tensor sampleVisible(Tensor hidden, Rng rng) {
        int n = rows(hidden, layer.h, "hidden");
        double[] out = new double[n * layer.d];
        layer.sampleVisible(hidden.toDoubleArray(), n, rng, out);
        return Tensor.of(hidden.allocator(), DType.FLOAT32, out, visibleShape(n));
    }

    // ---- ContrastiveTrainable

    @Override
    public Map<String, Double> contrastiveStep(Tensor positive, Tensor negative, Step step) {
        int np = rows(positive, layer.d, "positive");
        int nn = rows(negative, layer.d, "negative");
        if (np == 0 || nn == 0) {
            throw new IllegalArgumentException("a contrastive step needs positive and negative examples, got " + np
                    + " and " + nn);
        }
        double[] f = layer.contrastiveStep(positive.toDoubleArray(), np, negative.toDoubleArray(), nn,
                step.learningRate(), step.momentum(), step.weightDecay());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("energy_positive", f[0]);
        out.put("energy_negative", f[1]);
        return out;
    }

    @Override
    public long stepsTaken() {
        return layer.steps;
    }

    // ---- Persistent

    @Override
    public void save(Path directory) throws IOException {
        Checkpoint.write(directory, "rbm", settings, List.of(layer));
    }

    @Override
    public void load(Path directory) throws IOException {
        Checkpoint.read(directory, "rbm", settings, List.of(layer));
    }

    long[] visibleShape(int n) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    static int rows(Tensor t, int width, String what) {
        if (t.rowSize() != width || t.rank() < 2 && width != 1) {
            throw new IllegalArgumentException(what + " must have " + width + " values per row, got "
                    + Arrays.toString(t.shape()));
        }
        return Math.toIntExact(t.rows());
    }

    @Override
    public String toString() {
        return "RBM " + layer.d + "x" + layer.h + (layer.gaussian ? " (Gaussian visible, sigma " + layer.sigma + ")" : "");
    }
}
