package org.genbench.model.rbm.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.LayerwiseTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.AisResult;
import org.genbench.stats.BlockGibbsAis;

/**
 * A deep belief net: layers 0..L-1, layer 0 an RBM over the data, layer l over layer l-1's hidden units. The joint is
 * p(v, h1, ..., hL) = p(v | h1) ... p(h(L-2) | h(L-1)) p_top(h(L-1), hL): the top RBM is undirected, the layers below
 * it keep only their top-down conditionals (their hidden biases serve the recognition pass up).
 *
 * <p>Sampling ({@link DirectSampling}): {@code sampleGibbsSteps} block-Gibbs sweeps in the top RBM, started from its
 * training data's marginals, then one pass down through the directed layers. It is approximate exactly as far as the
 * top chain has not mixed.
 *
 * <p>The bound ({@link LogDensityBound}; Hinton et al. 2006, Salakhutdinov and Murray 2008): with the recognition
 * distribution Q(h1 | v) Q(h2 | h1) ... given by each layer's hidden conditional,
 * log p(v) &gt;= E_Q[log p(v | h1) + ... + log p(h(L-2) | h(L-1)) - F_top(h(L-1)) - log Z_top - log Q(h... | v)],
 * estimated per example from {@code boundSamples} draws of Q (log of their mean weight when more than one: the
 * importance-weighted bound). log Z_top is estimated by AIS ({@link BlockGibbsAis}) once per state of the weights;
 * its error (in {@link #boundProtocol}) is shared by every example, and since AIS underestimates log Z in expectation,
 * the estimated bound can sit above the true bound by about that error. With one layer the "bound" is the RBM's exact
 * log-likelihood up to the same AIS estimate.
 */
final class DbnModel implements Model, LayerwiseTrainable, DirectSampling, LogDensityBound, Persistent {
    private final List<RbmLayer> layers;
    private final DataInfo info;
    private final DbnFamily.Config config;
    private final Map<String, Object> settings;
    private final List<RbmModel> views = new ArrayList<>();
    private AisResult topLogZ;
    private long topLogZKey = -1;

    DbnModel(List<RbmLayer> layers, DataInfo info, DbnFamily.Config config, Map<String, Object> settings) {
        this.layers = List.copyOf(layers);
        this.info = info;
        this.config = config;
        this.settings = Map.copyOf(settings);
        for (int i = 0; i < layers.size(); i++) {
            RbmLayer l = layers.get(i);
            DataInfo input = i == 0 ? info : new DataInfo(info.name() + "/dbn-layer-" + i, new long[] {l.d},
                    DataInfo.BINARY, 0, info.checksum());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("layer", i);
            s.put("hidden", l.h);
            s.put("visible", l.gaussian ? "gaussian" : "bernoulli");
            s.put("sigma", l.sigma);
            views.add(new RbmModel(l, input, s));
        }
    }

    @Override
    public DataInfo data() {
        return info;
    }

    @Override
    public long parameterCount() {
        return layers.stream().mapToLong(RbmLayer::parameterCount).sum();
    }

    // ---- LayerwiseTrainable

    @Override
    public int layerCount() {
        return layers.size();
    }

    @Override
    public Model layer(int index) {
        checkLayer(index);
        return views.get(index);
    }

    @Override
    public Tensor propagateUp(int index, Tensor x, Rng rng) {
        checkLayer(index);
        int n = RbmModel.rows(x, layers.get(0).d, "x");
        double[] v = up(x.toDoubleArray(), n, index, rng);
        long[] shape = index == 0 ? x.shape() : new long[] {n, layers.get(index).d};
        return Tensor.of(x.allocator(), DType.FLOAT32, v, shape);
    }

    /** Samples h(index) given v through layers 0..index-1. */
    private double[] up(double[] v, int n, int index, Rng rng) {
        for (int l = 0; l < index; l++) {
            double[] h = new double[n * layers.get(l).h];
            layers.get(l).sampleHidden(v, n, rng, h);
            v = h;
        }
        return v;
    }

    // ---- DirectSampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        int last = layers.size() - 1;
        RbmLayer top = layers.get(last);
        boolean mean = config.sampleOutput().equals("mean");
        double[] v = new double[n * top.d];
        Rng start = rng.split("start");
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < top.d; i++) {
                double m = top.dataCount > 0 ? top.dataMean[i] : (top.gaussian ? 0 : 0.5);
                v[r * top.d + i] = top.gaussian ? m + top.sigma * start.nextGaussian() : (start.nextDouble() < m ? 1 : 0);
            }
        }
        double[] h = new double[n * top.h];
        Rng chain = rng.split("gibbs");
        for (int s = 1; s <= config.sampleGibbsSteps(); s++) {
            top.sampleHidden(v, n, chain, h);
            if (s < config.sampleGibbsSteps() || last > 0 || !mean) {
                top.sampleVisible(h, n, chain, v);
            } else {
                top.visibleMean(h, n, v);
            }
        }
        Rng down = rng.split("down");
        for (int l = last - 1; l >= 0; l--) {
            RbmLayer layer = layers.get(l);
            double[] below = new double[n * layer.d];
            if (l == 0 && mean) {
                layer.visibleMean(v, n, below);
            } else {
                layer.sampleVisible(v, n, down, below);
            }
            v = below;
        }
        long[] shape = info.sampleShape();
        long[] out = new long[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return Tensor.of(allocator, DType.FLOAT32, v, out);
    }

    // ---- LogDensityBound

    @Override
    public String boundName() {
        return (config.boundSamples() == 1 ? "dbn-vlb" : "dbn-iw-bound-k" + config.boundSamples())
                + " (top-layer log Z by AIS: " + config.aisChains() + " chains, " + config.aisDistributions()
                + " distributions, " + config.aisSchedule() + ")";
    }

    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        int n = RbmModel.rows(x, layers.get(0).d, "x");
        double logZ = topLogZ(rng.split("ais"), x.allocator()).logZ();
        double[] v = x.toDoubleArray();
        int k = config.boundSamples();
        double[][] values = new double[k][];
        for (int s = 0; s < k; s++) {
            values[s] = boundSample(v, n, rng.split(s));
        }
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < k; s++) {
                max = Math.max(max, values[s][r]);
            }
            double sum = 0;
            for (int s = 0; s < k; s++) {
                sum += Math.exp(values[s][r] - max);
            }
            out[r] = max + Math.log(sum / k) - logZ;
        }
        return Tensor.ofDoubles(x.allocator(), out, n);
    }

    /** One draw of log p*(v, h...) - log Q(h... | v) per row, without the top layer's log Z. */
    double[] boundSample(double[] v, int n, Rng rng) {
        double[] value = new double[n];
        double[] below = v;
        for (int l = 0; l < layers.size() - 1; l++) {
            RbmLayer layer = layers.get(l);
            double[] a = new double[n * layer.h];
            layer.hiddenField(below, n, a);
            double[] hs = new double[n * layer.h];
            for (int k = 0; k < a.length; k++) {
                hs[k] = rng.nextDouble() < RbmLayer.sigmoid(a[k]) ? 1 : 0;
                // - log Q(h_k | below)
                value[k / layer.h] -= hs[k] * a[k] - RbmLayer.softplus(a[k]);
            }
            double[] g = new double[n * layer.d];
            layer.visibleField(hs, n, g);
            double logNorm = 0.5 * Math.log(2 * Math.PI * layer.sigma * layer.sigma);
            for (int k = 0; k < g.length; k++) {
                // + log p(below_k | h)
                double x = below[k];
                if (layer.gaussian) {
                    double z = (x - g[k]) / layer.sigma;
                    value[k / layer.d] += -0.5 * z * z - logNorm;
                } else {
                    value[k / layer.d] += x * g[k] - RbmLayer.softplus(g[k]);
                }
            }
            below = hs;
        }
        RbmLayer top = layers.get(layers.size() - 1);
        double[] f = new double[n];
        top.freeEnergy(below, n, f, new double[n * top.h]);
        for (int r = 0; r < n; r++) {
            value[r] -= f[r];
        }
        return value;
    }

    /** log Z of the top RBM, estimated once per state of the weights. */
    synchronized AisResult topLogZ(Rng rng, BufferAllocator allocator) {
        long key = layers.stream().mapToLong(l -> l.steps).sum();
        if (topLogZ == null || key != topLogZKey) {
            RbmLayer top = layers.get(layers.size() - 1);
            double[] base = top.dataMean.clone();
            if (top.dataCount == 0 && !top.gaussian) {
                java.util.Arrays.fill(base, 0.5);
            }
            RbmModel view = views.get(layers.size() - 1);
            long[] shape = layers.size() == 1 ? info.sampleShape() : new long[] {top.d};
            topLogZ = BlockGibbsAis.logPartition(view, shape, base, Math.max(top.dataCount, 1), config.ais(), rng,
                    allocator, () -> false);
            topLogZKey = key;
        }
        return topLogZ;
    }

    @Override
    public Map<String, Object> boundProtocol() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bound_samples", config.boundSamples());
        if (topLogZ != null) {
            p.put("top_log_z", topLogZ.logZ());
            p.put("top_log_z_se", topLogZ.logZSe());
            p.put("top_log_z_note", "AIS estimate of the top RBM's log Z, shared by every example; its standard error"
                    + " is not in the per-example spread");
        }
        return p;
    }

    // ---- Persistent

    @Override
    public void save(Path directory) throws IOException {
        Checkpoint.write(directory, DbnFamily.NAME, settings, layers);
    }

    @Override
    public void load(Path directory) throws IOException {
        Checkpoint.read(directory, DbnFamily.NAME, settings, layers);
        topLogZ = null;
    }

    private void checkLayer(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new IndexOutOfBoundsException("layer " + index + " of a DBN with " + layers.size() + " layers");
        }
    }
}
