package org.genbench.model.ebm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.Energy;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.optim.TrainingState;

/**
 * A deep energy-based model on nn: an {@link EbmNet} energy, Adam in nn's {@link TrainingState} (a checkpoint is
 * weights, replay buffer, optimizer moments and step count in one file), and the two objectives of
 * {@link EbmFamily}. All noise (chain restarts, which buffer slots a step uses, Langevin noise, DSM's noise) comes
 * from the {@link Rng} a step is given, so a resumed run continues with the same numbers.
 */
class EbmModel implements Model, Energy, Score, GradientTrainable, Persistent {
    private static final ObjectMapper JSON = new ObjectMapper();

    final EbmFamily.Config config;
    final DataInfo data;
    final int d;
    final DType dtype;
    final EbmNet net;
    final TrainingState training;

    EbmModel(EbmFamily.Config config, DataInfo data, Rng rng) {
        this(config, data, rng, DType.F32);
    }

    /** With the element type: float64 serves the gradient checks. */
    EbmModel(EbmFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
        Objects.requireNonNull(rng, "rng");
        long dim = data.dimension();
        if (dim < 1 || dim > 1 << 20) {
            throw new IllegalArgumentException("ebm needs between 1 and " + (1 << 20) + " values per example; dataset '"
                    + data.name() + "' has " + dim);
        }
        this.d = (int) dim;
        this.dtype = dtype;
        int buffer = config.objective().equals(EbmFamily.LANGEVIN) ? config.bufferSize() : 0;
        if ((long) buffer * d > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("bufferSize times the data's " + d + " values per example must stay below "
                    + Integer.MAX_VALUE / 2 + "; bufferSize was " + buffer);
        }
        Dequantization dq = data.dequantization();
        if (dq != null && !dq.hasLogit() && config.objective().equals(EbmFamily.LANGEVIN)
                && (config.initLow() < 0 || config.initHigh() > 1)) {
            throw new IllegalArgumentException("on dequantized data the model is a density on [0, 1)^d, so its chains"
                    + " must start there: initLow and initHigh must lie in [0, 1], were " + config.initLow() + " and "
                    + config.initHigh() + " (dataset '" + data.name() + "' declares " + dq + ")");
        }
        if (config.network().equals(EbmFamily.CONV)) {
            long[] shape = data.sampleShape();
            if (shape.length != 3 || shape[1] < 2 || shape[2] < 2) {
                throw new IllegalArgumentException("network 'conv' needs images shaped [channels, height, width];"
                        + " dataset '" + data.name() + "' has sample shape " + Arrays.toString(shape)
                        + " (use network 'mlp')");
            }
            this.net = new EbmNet(new int[] {(int) shape[0], (int) shape[1], (int) shape[2]}, config.channels(),
                    config.hidden(), buffer, config.initLow(), config.initHigh(), dtype, rng);
        } else {
            this.net = new EbmNet(d, config.hidden(), config.depth(), buffer, config.initLow(), config.initHigh(),
                    dtype, rng);
        }
        this.training = new TrainingState(net);
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return net.parameterCount();
    }

    @Override
    public long stepsTaken() {
        return training.steps();
    }

    // ---- Energy, Score

    @Override
    public Tensor energy(Tensor x) {
        int n = rowCount(x);
        double[] e;
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            e = net.energy(rows(x)).toDoubleArray();
        }
        if (onCube()) {
            // On dequantized data the model is a density on [0, 1)^d: E = +infinity outside.
            long rowSize = x.rowSize();
            for (int r = 0; r < n; r++) {
                for (long j = 0; j < rowSize; j++) {
                    double v = x.getDouble(r * rowSize + j);
                    if (!(v >= 0 && v < 1)) {
                        e[r] = Double.POSITIVE_INFINITY;
                        break;
                    }
                }
            }
        }
        return Tensor.ofDoubles(x.allocator(), e, n);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        rowCount(x);
        double[] g;
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            g = net.inputGradient(rows(x)).toDoubleArray();
        }
        return Tensor.ofDoubles(x.allocator(), g, x.shape());
    }

    @Override
    public Tensor score(Tensor x) {
        rowCount(x);
        double[] g;
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            g = net.inputGradient(rows(x)).toDoubleArray();
        }
        for (int i = 0; i < g.length; i++) {
            g[i] = -g[i];
        }
        return Tensor.ofDoubles(x.allocator(), g, x.shape());
    }

    // ---- GradientTrainable

    /**
     * One Adam step. {@code langevin}: the step's chains (a restart from noise with probability reinit, else a
     * buffer slot's state) take langevinSteps Langevin steps, go back to their slots, and the loss is
     * mean E(x) - mean E(chains) + alpha (mean E(x)^2 + mean E(chains)^2). {@code dsm}: the loss is
     * 0.5 mean ||sigma dE/dx(x + sigma eps) - eps||^2. On data that declares a dequantization, x is the batch
     * dequantized with fresh noise. The regularizer weight of the step is not used.
     */
    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(rng, "rng");
        int n = rowCount(batch.x());
        if (n == 0) {
            throw new IllegalArgumentException("an empty batch");
        }
        Map<String, Double> out;
        // Discrete data that declares a dequantization (binarized images as two levels) is modelled as the density
        // of x' = (level + u) / levels: each step sees fresh noise u.
        Dequantization dq = data.dequantization();
        try (Tensor dequantized = dq == null ? null : dq.dequantize(batch.x(), rng.split("dequantize"),
                batch.x().allocator())) {
            Tensor x = dq == null ? batch.x() : dequantized;
            if (config.objective().equals(EbmFamily.LANGEVIN)) {
                double[] negatives = negatives(n, rng);
                try (Graph g = Graph.record()) {
                    NdArray loss = contrastiveLoss(rows(x), array(negatives, n));
                    loss.backward();
                    out = lastValues;
                }
            } else {
                try (Graph g = Graph.record()) {
                    NdArray loss = dsmLoss(rows(x), NdArray.randn(rng.split("dsm"), dtype, 1.0, n, d));
                    loss.backward();
                    out = lastValues;
                }
            }
        }
        training.apply(step);
        return out;
    }

    private Map<String, Double> lastValues;

    /** The Langevin objective for data x and chain states neg (both [n, d]); its parts land in lastValues. */
    NdArray contrastiveLoss(NdArray x, NdArray neg) {
        NdArray ePos = net.energy(x);
        NdArray eNeg = net.energy(neg);
        NdArray reg = F.add(F.mean(F.square(ePos)), F.mean(F.square(eNeg)));
        NdArray gap = F.sub(F.mean(ePos), F.mean(eNeg));
        NdArray loss = F.add(gap, F.mul(reg, config.alpha()));
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", loss.item());
        v.put("energy_data", F.mean(ePos).item());
        v.put("energy_chains", F.mean(eNeg).item());
        lastValues = v;
        return loss;
    }

    /** Denoising score matching for data x [n, d] and standard normal noise eps [n, d]. */
    NdArray dsmLoss(NdArray x, NdArray eps) {
        double sigma = config.sigma();
        NdArray grad = net.inputGradient(F.add(x, F.mul(eps, sigma)));
        NdArray loss = F.mul(F.mean(Losses.rowSums(F.square(F.sub(F.mul(grad, sigma), eps)))), 0.5);
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", loss.item());
        lastValues = v;
        return loss;
    }

    /**
     * The step's chains after their Langevin steps, [n * d]: slot i of the buffer is drawn for chain i (with
     * replacement; with no buffer every chain restarts), a restart replaces its state by uniform noise, and the
     * final states are written back to the slots.
     */
    double[] negatives(int n, Rng rng) {
        Rng pick = rng.split("pick");
        Rng noise = rng.split("langevin");
        NdArray buffer = net.replay();
        int[] slot = new int[n];
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            boolean restart = buffer == null || pick.nextDouble() < config.reinit();
            slot[i] = buffer == null ? -1 : pick.nextInt(buffer.dim(0));
            for (int j = 0; j < d; j++) {
                x[i * d + j] = restart ? config.initLow() + (config.initHigh() - config.initLow()) * pick.nextDouble()
                        : buffer.getFlat(slot[i] * d + j);
            }
        }
        langevin(x, n, config.langevinSteps(), config.stepSize(), config.noiseScale(), noise);
        if (buffer != null) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    buffer.setFlat(slot[i] * d + j, x[i * d + j]);
                }
            }
        }
        return x;
    }

    /** Whether the model is a density on [0, 1)^d: data that declares a dequantization without a logit transform. */
    boolean onCube() {
        Dequantization dq = data.dequantization();
        return dq != null && !dq.hasLogit();
    }

    /**
     * Unadjusted Langevin in place on x [n * d]: x - eps/2 dE/dx + scale sqrt(eps) xi, {@code steps} times; on the
     * cube ({@link #onCube()}) each step is reflected at the faces of [0, 1)^d, so the chains stay where the density
     * lives.
     */
    void langevin(double[] x, int n, int steps, double eps, double scale, Rng rng) {
        double noise = scale * Math.sqrt(eps);
        for (int k = 0; k < steps; k++) {
            double[] g;
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                g = net.inputGradient(array(x, n)).toDoubleArray();
            }
            boolean cube = onCube();
            for (int i = 0; i < x.length; i++) {
                x[i] += -0.5 * eps * g[i] + noise * rng.nextGaussian();
                if (cube) {
                    x[i] = reflect(x[i]);
                }
            }
        }
    }

    /** v folded into [0, 1) by reflection at 0 and 1 (1 itself, of probability zero, maps just below 1). */
    static double reflect(double v) {
        double r = v - 2 * Math.floor(v / 2);
        if (r > 1) {
            r = 2 - r;
        }
        return r < 1 ? r : Math.nextDown(1.0);
    }

    // ---- Persistent

    private Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("family", EbmFamily.NAME);
        try {
            m.put("config", JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put("dimension", Integer.toString(d));
        return m;
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        training.save(directory, identity());
    }

    /** Loads into this model; another family, configuration or data shape, or a missing file, fails naming it. */
    @Override
    public void load(Path directory) throws IOException {
        training.load(directory, EbmFamily.NAME, identity());
    }

    // ---- plumbing

    private int rowCount(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() < 1 || x.rowSize() != d) {
            throw new IllegalArgumentException("ebm expects examples of " + d + " values shaped [n, "
                    + Arrays.toString(data.sampleShape()).replaceAll("[\\[\\]]", "") + "], got "
                    + Arrays.toString(x.shape()));
        }
        return (int) x.rows();
    }

    /** x as [n, d] in the model's element type (a copy in the current scope). */
    NdArray rows(Tensor x) {
        return F.reshape(NdArray.fromTensor(x, dtype), rowCount(x), d);
    }

    /** Values [n * d] as an [n, d] array of the model's element type in the current scope. */
    NdArray array(double[] v, int n) {
        NdArray a = NdArray.wrap(v, n, d);
        return dtype == DType.F64 ? a.copy() : a.to(dtype);
    }
}
