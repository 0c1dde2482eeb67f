package org.genbench.density;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.optim.TrainingState;

/**
 * A model with an exact, differentiable log-density on the nn substrate: a family supplies its network,
 * {@link #logProb} (log p of model-space values) and {@link #sampleModel}; this class turns them into
 * {@link LogDensity}, {@link DirectSampling}, maximum-likelihood {@link GradientTrainable} steps, a score (for
 * families that declare {@code Score}) and {@link Persistent} checkpoints, with the data mapped through a
 * {@link ModelSpace}. One checkpoint file (nn's {@link TrainingState}: weights, buffers, Adam's moments and step)
 * with the family, its settings and the data's shape and space as metadata that must match on load.
 *
 * <p>Modes: training steps run the network in training mode (batch statistics, ActNorm's initialization);
 * scoring, sampling and scores in evaluation mode.
 */
public abstract class DensityModel implements Model, LogDensity, DirectSampling, GradientTrainable, Persistent {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rows per chunk when scoring, unless a family asks for fewer ({@link #scoreRows}). */
    protected static final int SCORE_ROWS = 2048;

    protected final String family;
    protected final DataInfo data;
    protected final DType dtype;
    protected final ModelSpace space;
    /** Values per example. */
    protected final int dimension;
    private final Record settings;
    private Module network;
    private TrainingState training;

    /**
     * @param settings the family's configuration, saved with checkpoints as JSON (a checkpoint of other settings is
     *                 refused)
     */
    protected DensityModel(String family, Record settings, DataInfo data, ModelSpace space, DType dtype) {
        this.family = Objects.requireNonNull(family, "family");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.data = Objects.requireNonNull(data, "data");
        this.space = Objects.requireNonNull(space, "space");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.dimension = space.dimension();
    }

    /** Sets the network (once, from the subclass's constructor): its parameters are what Adam trains and saves. */
    protected final void network(Module net) {
        if (network != null) {
            throw new IllegalStateException("the network is set once");
        }
        this.network = Objects.requireNonNull(net, "net");
        this.training = new TrainingState(net);
    }

    public final Module network() {
        return network;
    }

    /**
     * log p(y) per example, [n], of model-space values y [n, D], recorded for differentiation when a graph is open.
     * {@code rng} is the step's stream in training (for choices such as MADE's mask) and null when scoring.
     */
    protected abstract NdArray logProb(NdArray y, Rng rng);

    /** n samples in model space, [n, D], drawn with {@code rng} (called with recording paused, in evaluation mode). */
    protected abstract NdArray sampleModel(int n, Rng rng);

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return network.parameterCount();
    }

    public ModelSpace space() {
        return space;
    }

    // ---- GradientTrainable

    /**
     * One Adam step on the batch's mean negative log-likelihood. Reports {@code loss} (the mean -log p(x'), which
     * differs from what is minimized only by the constant pre-transform Jacobian), {@code loglik} (the data's mean
     * log-likelihood, with the dequantization offset for discrete data) and {@code bits_per_dim}.
     */
    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        Objects.requireNonNull(step, "step");
        if (batch.size() == 0) {
            throw new IllegalArgumentException("an empty batch");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        network.train(true);
        try (Graph g = Graph.record()) {
            ModelSpace.Mapped m = space.training(batch.x(), rng.split("dequantize"), dtype);
            NdArray lp = logProb(m.y(), rng.split("model"));
            NdArray loss = F.mul(F.mean(lp), -1.0);
            loss.backward();
            double ll = mean(lp) + mean(m.logJacobian());
            out.put("loss", -ll);
            out.put("loglik", ll + space.offset());
            out.put("bits_per_dim", space.bitsPerDim(ll));
        } finally {
            network.train(false);
        }
        training.apply(step);
        return out;
    }

    @Override
    public long stepsTaken() {
        return training.steps();
    }

    private static double mean(NdArray a) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += a.getFlat(i);
        }
        return s / a.size();
    }

    // ---- LogDensity

    /**
     * log p(x) per example in nats, float64 [n]: for discrete data x is dequantized (x' in [0, 1), as the likelihood
     * evaluator hands it) and this is the density of x', the pre-transform's Jacobian included.
     */
    @Override
    public Tensor logDensity(Tensor x) {
        double[] out = logDensities(x);
        return Tensor.ofDoubles(x.allocator(), out, out.length);
    }

    /** As {@link #logDensity}, as a Java array. */
    public double[] logDensities(Tensor x) {
        network.train(false);
        int n = rowsOf(x);
        double[] out = new double[n];
        int rows = scoreRows();
        for (int start = 0; start < n; start += rows) {
            int len = Math.min(rows, n - start);
            try (Tensor chunk = x.slice(start, len); Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray xs = F.reshape(NdArray.fromTensor(chunk, dtype), len, dimension);
                ModelSpace.Mapped m = space.scoring(xs);
                NdArray lp = F.add(logProb(m.y(), null), m.logJacobian());
                for (int i = 0; i < len; i++) {
                    out[start + i] = lp.getFlat(i);
                }
            }
        }
        return out;
    }

    /**
     * Rows scored at once by {@link #logDensities}: {@link #SCORE_ROWS} by default; a family whose network output per
     * example is large (PixelCNN's 256 logits per pixel) returns fewer, so that scoring a test set fits in memory.
     */
    protected int scoreRows() {
        return SCORE_ROWS;
    }

    // ---- Score (for families that declare it)

    /**
     * grad_x log p(x), float64 shaped like x, of the density {@link #logDensity} reports (for discrete data: in x'),
     * by reverse-mode differentiation in the input.
     */
    protected Tensor scoreOf(Tensor x) {
        if (space.mode() == ModelSpace.Mode.QUANTIZE) {
            throw new UnsupportedOperationException(family + " is discrete: its density has no gradient");
        }
        network.train(false);
        int n = rowsOf(x);
        double[] grad;
        try (Graph g = Graph.recordInputsOnly()) {
            NdArray xi = g.input(F.reshape(NdArray.fromTensor(x, dtype), n, dimension));
            ModelSpace.Mapped m = space.scoring(xi);
            F.sum(F.add(logProb(m.y(), null), m.logJacobian())).backward();
            NdArray gr = xi.grad();
            grad = gr == null ? new double[n * dimension] : gr.toDoubleArray();
        }
        Tensor out = Tensor.ofDoubles(x.allocator(), grad, x.shape());
        return out;
    }

    // ---- DirectSampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + n);
        }
        Objects.requireNonNull(allocator, "allocator");
        network.train(false);
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray y = sampleModel(n, rng);
            return F.reshape(space.toData(y).to(DType.F32), shape(n)).toTensor(allocator);
        }
    }

    // ---- Persistent

    /** What must match for a checkpoint to load into this model. */
    protected Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("family", family);
        try {
            m.put("config", JSON.writeValueAsString(settings));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put("shape", Arrays.toString(data.sampleShape()));
        m.put("space", space.describe());
        return m;
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        training.save(directory, identity());
    }

    /** Loads into this model; another family, configuration, data shape or space, or a missing file, fails naming it. */
    @Override
    public void load(Path directory) throws IOException {
        training.load(directory, family, identity());
        afterLoad();
    }

    /** Called after a checkpoint is loaded (to rebuild what derives from loaded buffers). */
    protected void afterLoad() {
    }

    // ---- plumbing

    /** [n, sampleShape...] as ints. */
    protected final int[] shape(int n) {
        long[] s = data.sampleShape();
        int[] out = new int[s.length + 1];
        out[0] = n;
        for (int i = 0; i < s.length; i++) {
            out[i + 1] = (int) s[i];
        }
        return out;
    }

    private int rowsOf(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() < 1 || x.rowSize() != dimension) {
            throw new IllegalArgumentException(family + " expects examples of " + dimension + " values shaped [n, "
                    + Arrays.toString(data.sampleShape()).replaceAll("[\\[\\]]", "") + "], got " + Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }
}
