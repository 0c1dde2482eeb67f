package org.genbench.model.diffusion.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Ddim;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Observer;
import org.genbench.diffusion.Samples;
import org.genbench.diffusion.Schedules;
import org.genbench.diffusion.VariationalBound;
import org.genbench.nn.DType;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/** A DDPM; see {@link DdpmFamily}. */
class DdpmModel implements Model, NoisePredictor, LogDensityBound, GradientTrainable, Persistent {
    /** Examples per network call when computing the bound. */
    static final int BOUND_BATCH = 256;

    final DdpmFamily.Config config;
    final DataInfo data;
    final DType dtype;
    final DataScaling scaling;
    final double[] alphaBars;
    final int dim;
    final long[] sampleShape;
    final Trained trained;

    DdpmModel(DdpmFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        this.config = config;
        this.data = data;
        this.dtype = dtype;
        this.scaling = Spaces.scaling(data);
        this.alphaBars = Schedules.alphaBars(Schedules.betas(config.schedule(), config.timesteps()));
        this.sampleShape = data.sampleShape();
        int classes = config.conditional() ? data.numClasses() : 0;
        Network net = Network.create(config.networkSettings(), data, classes, dtype, rng.split("network"));
        Network copy = Network.create(config.networkSettings(), data, classes, dtype, new Rng(0));
        this.dim = net.dimension();
        this.trained = new Trained(DdpmFamily.NAME, config, net, copy, config.emaDecay());
    }

    int classes() {
        return config.conditional() ? data.numClasses() : 0;
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return trained.parameterCount();
    }

    // ---- NoisePredictor

    @Override
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    @Override
    public DataScaling scaling() {
        return scaling;
    }

    @Override
    public Tensor predictNoise(Tensor xt, Tensor t, Tensor labels) {
        int n = rows(xt, "xt");
        int[] times = Samples.labels(t);
        if (times.length != n) {
            throw new IllegalArgumentException("one time per example: " + times.length + " times for " + n + " rows");
        }
        for (int v : times) {
            if (v < 1 || v > config.timesteps()) {
                throw new IllegalArgumentException("time " + v + " is outside 1.." + config.timesteps());
            }
        }
        int[] lab = checkLabels(labels, n);
        Network net = trained.forSampling();
        try (Scope s = Scope.open()) {
            NdArray x = NdArray.fromTensor(xt, dtype).reshape(n, dim);
            NdArray tt = NdArray.zeros(dtype, n);
            for (int i = 0; i < n; i++) {
                tt.setFlat(i, times[i]);
            }
            try (Tensor out = net.forward(x, tt, lab, null).toTensor(xt.allocator())) {
                return out.reshape(xt.shape());
            }
        }
    }

    int rows(Tensor x, String name) {
        if (x.rank() < 1 || x.rowSize() != dim) {
            throw new IllegalArgumentException(name + " must be [n, " + Arrays.toString(sampleShape).replaceAll("[\\[\\]]", "")
                    + "], was " + Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }

    /** The labels to give the network: null for a model without classes (which refuses labels). */
    int[] checkLabels(Tensor labels, int n) {
        if (classes() == 0) {
            if (labels != null) {
                throw new IllegalArgumentException("this ddpm is not conditional; pass no labels");
            }
            return null;
        }
        int[] lab = labels == null ? filled(n, -1) : Samples.labels(labels);
        if (lab.length != n) {
            throw new IllegalArgumentException(lab.length + " labels for " + n + " examples");
        }
        for (int v : lab) {
            if (v < -1 || v >= classes()) {
                throw new IllegalArgumentException("label " + v + " is not a class in 0.." + (classes() - 1) + " or -1 (none)");
            }
            if (v == -1 && config.conditionDropout() == 0) {
                throw new IllegalArgumentException("this ddpm was trained with conditionDropout 0, so it has no unconditional"
                        + " prediction (label -1): no classifier-free guidance, and every example needs a class");
            }
        }
        return lab;
    }

    static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    // ---- GradientTrainable

    /**
     * The simple objective on {@code batch}: the mean over examples and values of (eps - eps(x_t, t))^2 with t uniform
     * in 1..T and eps standard normal, both from {@code rng}. Recorded when a graph is open.
     */
    NdArray loss(Batch batch, Rng rng) {
        Tensor xs = batch.x();
        int n = rows(xs, "x");
        if (scaling.integers()) {
            Spaces.checkLevels(Samples.toModel(xs, DataScaling.identity()), "training values");
        }
        float[] y = Samples.toModel(xs, scaling);
        int[] labels = null;
        if (classes() > 0) {
            Tensor lt = batch.label().orElseThrow(() -> new IllegalArgumentException(
                    "a conditional ddpm trains on labelled batches; this batch has no 'label'"));
            labels = Samples.labels(lt);
            Rng drop = rng.split("condition");
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= classes()) {
                    throw new IllegalArgumentException("label " + labels[i] + " is not a class in 0.." + (classes() - 1));
                }
                if (drop.nextDouble() < config.conditionDropout()) {
                    labels[i] = -1;
                }
            }
        }
        Rng times = rng.split("t");
        Rng noise = rng.split("eps");
        NdArray xt = NdArray.zeros(dtype, n, dim);
        NdArray eps = NdArray.zeros(dtype, n, dim);
        NdArray t = NdArray.zeros(dtype, n);
        for (int i = 0; i < n; i++) {
            int ti = 1 + times.nextInt(config.timesteps());
            t.setFlat(i, ti);
            double a = Math.sqrt(alphaBars[ti - 1]);
            double b = Math.sqrt(1 - alphaBars[ti - 1]);
            for (int j = 0; j < dim; j++) {
                double e = noise.nextGaussian();
                eps.setFlat(i * dim + j, e);
                xt.setFlat(i * dim + j, a * y[i * dim + j] + b * e);
            }
        }
        NdArray pred = trained.net.forward(xt, t, labels, rng.split("dropout"));
        return Losses.mse(pred, eps);
    }

    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        return trained.trainOn(() -> loss(batch, rng), step);
    }

    @Override
    public long stepsTaken() {
        return trained.steps();
    }

    // ---- LogDensityBound

    /**
     * For images: a bound on the density of x' = (k + u) / 256, the dequantized 8-bit values k = min(255, floor(256 x))
     * (an image in [0, 1] given as k / 255 or as (k + u) / 256 has the same k), that is log P(k) + D ln 256. On 8-bit
     * data (kind discrete) x is what the likelihood evaluator and the trainer hand a density model, the dequantized
     * x' = (k + u) / 256 (api convention: they subtract D ln 256 and report log P(k), bits/dim on the 8-bit scale); on
     * images in [0, 1] they report the bound as it is, the density's bits/dim, 8 below the 8-bit figure. For vectors,
     * a bound on the density of x. Conditional models bound the marginal: with the unconditional network when trained
     * with condition dropout, else the mean over classes of the class-conditional bounds (below log p(x) by Jensen).
     */
    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        int n = rows(x, "x");
        float[] y = toBoundSpace(x);
        Denoiser net = Denoiser.of(this, sampleShape, BOUND_BATCH, 0, x.allocator());
        VariationalBound.Settings s = boundSettings();
        double[] bound;
        if (classes() == 0 || config.conditionDropout() > 0) {
            bound = VariationalBound.compute(net, alphaBars, y, n, classes() == 0 ? null : filled(n, -1), s, rng).bound();
        } else {
            bound = new double[n];
            for (int c = 0; c < classes(); c++) {
                double[] b = VariationalBound.compute(net, alphaBars, y, n, filled(n, c), s, rng.split(c)).bound();
                for (int i = 0; i < n; i++) {
                    bound[i] += b[i] / classes();
                }
            }
        }
        if (scaling.bounded()) {
            double offset = dim * Math.log(256);
            for (int i = 0; i < n; i++) {
                bound[i] += offset;
            }
        }
        return Tensor.ofDoubles(x.allocator(), bound, n);
    }

    /** Data to model space; for images, to the grid of 8-bit values first. */
    float[] toBoundSpace(Tensor x) {
        if (!scaling.bounded()) {
            return Samples.toModel(x, scaling);
        }
        float[] v = Samples.toModel(x, DataScaling.identity());
        for (int j = 0; j < v.length; j++) {
            if (!(v[j] >= 0 && v[j] <= 1)) {
                throw new IllegalArgumentException((scaling.integers()
                        ? "the bound on 8-bit data takes the dequantized values (k + u) / 256 in [0, 1), found "
                        : "image values must be in [0, 1], found ") + v[j] + " at index " + j);
            }
            int k = Math.min(255, (int) Math.floor(256 * v[j]));
            v[j] = (float) (-1 + 2.0 * k / 255);
        }
        return v;
    }

    VariationalBound.Settings boundSettings() {
        return new VariationalBound.Settings(config.boundTerms(), config.boundVariance(), config.clip(),
                scaling.bounded() ? 256 : 0);
    }

    @Override
    public String boundName() {
        return "ddpm-vlb(T=" + config.timesteps() + ", " + (config.boundTerms() == config.timesteps() - 1 ? "every term"
                : config.boundTerms() + " stratified terms") + ", " + config.boundVariance() + " variance, "
                + (scaling.bounded() ? "8-bit discretized decoder, + D ln 256" : "Gaussian decoder") + ")";
    }

    // ---- Persistent

    @Override
    public void save(Path directory) throws IOException {
        trained.save(directory, Map.of("data.shape", Arrays.toString(sampleShape)));
    }

    @Override
    public void load(Path directory) throws IOException {
        trained.load(directory);
    }

    /** Draws through the library's DDIM, for the per-class picture of conditional models. */
    Tensor sampleDdim(int[] labels, double guidance, Rng rng, BufferAllocator allocator) {
        int n = labels.length;
        Denoiser net = Denoiser.of(this, sampleShape, BOUND_BATCH, guidance, allocator);
        float[] y = Ddim.sample(net, alphaBars, n, labels, new Ddim.Settings(config.sampleSteps(), 0, config.clip()), null,
                rng, Observer.none());
        return Samples.toData(y, n, sampleShape, scaling, allocator);
    }
}
