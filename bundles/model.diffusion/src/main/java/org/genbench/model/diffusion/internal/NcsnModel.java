package org.genbench.model.diffusion.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Model;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Samples;
import org.genbench.diffusion.Schedules;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/** An NCSN; see {@link NcsnFamily}. */
final class NcsnModel implements Model, NoiseConditionalScore, GradientTrainable, Persistent {
    /** The time embedding's range the noise levels map onto (a DDPM's 0..999). */
    static final double TIME_RANGE = 999;

    final NcsnFamily.Config config;
    final DataInfo data;
    final DType dtype;
    final DataScaling scaling;
    final double[] sigmas;
    final int dim;
    final long[] sampleShape;
    final Trained trained;
    private final double logMin;
    private final double logMax;

    NcsnModel(NcsnFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        this.config = config;
        this.data = data;
        this.dtype = dtype;
        this.scaling = Spaces.scaling(data);
        this.sigmas = Schedules.geometricSigmas(config.sigmaMax(), config.sigmaMin(), config.levels());
        this.sampleShape = data.sampleShape();
        Network net = Network.create(config.networkSettings(), data, 0, dtype, rng.split("network"));
        Network copy = Network.create(config.networkSettings(), data, 0, dtype, new Rng(0));
        this.dim = net.dimension();
        this.trained = new Trained(NcsnFamily.NAME, config, net, copy, config.emaDecay());
        this.logMin = Math.log(config.sigmaMin());
        this.logMax = Math.log(config.sigmaMax());
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return trained.parameterCount();
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public DataScaling scaling() {
        return scaling;
    }

    /** The embedding's input for a noise level: log sigma mapped linearly from [log min, log max] onto [0, 999]. */
    double time(double sigma) {
        return TIME_RANGE * (Math.log(sigma) - logMin) / (logMax - logMin);
    }

    /** s(x, sigma) = network(x, time(sigma)) / sigma, recorded when a graph is open. */
    NdArray score(Network net, NdArray x, double[] sigma, Rng rng) {
        int n = x.dim(0);
        NdArray t = NdArray.zeros(dtype, n);
        NdArray inv = NdArray.zeros(dtype, n, 1);
        for (int i = 0; i < n; i++) {
            t.setFlat(i, time(sigma[i]));
            inv.setFlat(i, 1 / sigma[i]);
        }
        return F.mul(net.forward(x, t, null, rng), inv);
    }

    @Override
    public Tensor score(Tensor x, Tensor sigma, Tensor labels) {
        if (labels != null) {
            throw new IllegalArgumentException("this ncsn is not conditional; pass no labels");
        }
        if (x.rank() < 1 || x.rowSize() != dim) {
            throw new IllegalArgumentException("x must be [n, " + Arrays.toString(sampleShape).replaceAll("[\\[\\]]", "")
                    + "], was " + Arrays.toString(x.shape()));
        }
        int n = Math.toIntExact(x.rows());
        if (sigma.size() != n) {
            throw new IllegalArgumentException("one noise level per example: " + sigma.size() + " for " + n + " rows");
        }
        double[] s = sigma.toDoubleArray();
        for (double v : s) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("noise levels must be finite and > 0, found " + v);
            }
        }
        Network net = trained.forSampling();
        try (Scope scope = Scope.open()) {
            NdArray xs = NdArray.fromTensor(x, dtype).reshape(n, dim);
            try (Tensor out = score(net, xs, s, null).toTensor(x.allocator())) {
                return out.reshape(x.shape());
            }
        }
    }

    /**
     * Denoising score matching with weight sigma^2 on {@code batch}: the mean over examples and values of
     * 0.5 (sigma s(x + sigma z, sigma) + z)^2, sigma log-uniform in [sigmaMin, sigmaMax] and z standard normal, both
     * from {@code rng}.
     */
    NdArray loss(Batch batch, Rng rng) {
        Tensor xs = batch.x();
        if (xs.rowSize() != dim) {
            throw new IllegalArgumentException("x must have " + dim + " values per row, has " + xs.rowSize());
        }
        int n = Math.toIntExact(xs.rows());
        float[] y = Samples.toModel(xs, scaling);
        Rng levels = rng.split("sigma");
        Rng noise = rng.split("z");
        double[] sigma = new double[n];
        NdArray noisy = NdArray.zeros(dtype, n, dim);
        NdArray z = NdArray.zeros(dtype, n, dim);
        NdArray scale = NdArray.zeros(dtype, n, 1);
        for (int i = 0; i < n; i++) {
            sigma[i] = Math.exp(logMin + (logMax - logMin) * levels.nextDouble());
            scale.setFlat(i, sigma[i]);
            for (int j = 0; j < dim; j++) {
                double e = noise.nextGaussian();
                z.setFlat(i * dim + j, e);
                noisy.setFlat(i * dim + j, y[i * dim + j] + sigma[i] * e);
            }
        }
        NdArray s = score(trained.net, noisy, sigma, rng.split("dropout"));
        NdArray r = F.add(F.mul(s, scale), z);
        return F.mul(F.mean(F.square(r)), 0.5);
    }

    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        return trained.trainOn(() -> loss(batch, rng), step);
    }

    @Override
    public long stepsTaken() {
        return trained.steps();
    }

    @Override
    public void save(Path directory) throws IOException {
        trained.save(directory, Map.of("data.shape", Arrays.toString(sampleShape)));
    }

    @Override
    public void load(Path directory) throws IOException {
        trained.load(directory);
    }
}
