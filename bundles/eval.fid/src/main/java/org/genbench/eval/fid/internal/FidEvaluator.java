package org.genbench.eval.fid.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CancellationException;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.numerics.FrechetDistance;
import org.genbench.vision.FeatureNetwork;
import org.genbench.vision.FashionMnistIdx;
import org.genbench.vision.FeatureNetworks;
import org.genbench.tensor.Nd4jArrow;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * FID of every sampler's samples against real held-out images: the Fréchet distance between Gaussians fitted to
 * their features (Heusel et al. 2017) under a feature network. Each value carries its protocol (network, its
 * weights' hash, sample counts, preprocessing), without which FIDs are not comparable: FID depends on all of them,
 * and is biased upward at small sample counts.
 *
 * <p>Networks: {@code fashion-mnist-mlp} (the default; trained in-project on first use, see
 * {@link org.genbench.vision.FashionMnistClassifier} in the vision library), the name of any {@link FeatureNetwork}
 * service another bundle registers, or the
 * path of a DL4J model file ({@code ModelSerializer} zip) or of a Keras Sequential model in HDF5 ({@code .h5}, imported
 * with DL4J's KerasModelImport) whose layer {@code layer} gives the features.
 */
@Component(service = Evaluator.class)
public final class FidEvaluator implements Evaluator<FidEvaluator.Config> {
    static final String FORMULA = "||mu_r - mu_g||^2 + tr(S_r) + tr(S_g) - 2 tr(sqrtm(S_r S_g)), float64, as pytorch-fid"
            + " (real part of sqrtm; eps*I added to both covariances if the first attempt is not finite)";

    /**
     * @param network {@code fashion-mnist-mlp} (default), a registered feature network's name, or the path of a DL4J
     *     model file ({@code .zip}) or a Keras Sequential model ({@code .h5})
     * @param samples how many real and how many generated images to use at most, 2..1000000 (default 10000); the
     *     counts used are in the protocol
     * @param split the real images' split (default {@code test})
     * @param layer for a DL4J model file: the layer whose activations are the features (default: the one before
     *     the output layer)
     * @param cacheDir where the default network is trained to and loaded from (default: system property
     *     {@code genbench.cache}, else {@code ~/.cache/genbench})
     * @param fashionMnistDir the Fashion-MNIST IDX files the default network trains on (default
     *     {@code /usr/share/datasets/fashion-mnist}, Debian's dataset-fashion-mnist)
     */
    public record Config(String network, Integer samples, String split, Integer layer, String cacheDir,
                         String fashionMnistDir) {
        public Config {
            network = network == null ? FeatureNetworks.DEFAULT : network;
            FeatureNetworks.checkName(network);
            samples = samples == null ? 10_000 : samples;
            if (samples < 2 || samples > 1_000_000) {
                throw new IllegalArgumentException("samples must be in 2..1000000, was " + samples);
            }
            split = split == null ? "test" : split;
            if (split.isBlank()) {
                throw new IllegalArgumentException("split must name a dataset split such as 'test', was blank");
            }
            if (layer != null && layer < 0) {
                throw new IllegalArgumentException("layer must be >= 0, was " + layer);
            }
            cacheDir = cacheDir == null ? FeatureNetworks.defaultCacheDir() : cacheDir;
            fashionMnistDir = fashionMnistDir == null ? FashionMnistIdx.DEFAULT_DIR : fashionMnistDir;
        }
    }

    private final List<FeatureNetwork> registered = new CopyOnWriteArrayList<>();
    /** Services registered under this bundle's older interface name, {@link org.genbench.eval.fid.FeatureNetwork}. */
    private final List<org.genbench.eval.fid.FeatureNetwork> registeredHere = new CopyOnWriteArrayList<>();

    public FidEvaluator() {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNetwork(FeatureNetwork network) {
        registered.add(network);
    }

    void removeNetwork(FeatureNetwork network) {
        registered.remove(network);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFidNetwork(org.genbench.eval.fid.FeatureNetwork network) {
        registeredHere.add(network);
    }

    void removeFidNetwork(org.genbench.eval.fid.FeatureNetwork network) {
        registeredHere.remove(network);
    }

    @Override
    public String name() {
        return "fid";
    }

    @Override
    public String description() {
        return "Frechet distance between feature statistics of real and generated images (FID), with its protocol";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        // Scores samples, whatever drew them.
        return Requirement.none();
    }

    FeatureNetwork network(Config config) {
        List<FeatureNetwork> all = new ArrayList<>(registered);
        all.addAll(registeredHere);
        return FeatureNetworks.resolve(config.network(), config.layer(), Path.of(config.cacheDir()),
                Path.of(config.fashionMnistDir()), all);
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
            RunContext context) {
        FeatureNetwork network = network(config);
        Tensor real = data.split(config.split()).x();
        long nReal = Math.min(config.samples(), real.rows());
        if (nReal < 2) {
            throw new IllegalArgumentException("split '" + config.split() + "' has " + real.rows()
                    + " images; FID needs at least 2");
        }
        FrechetDistance.Statistics realStats;
        // The dataset's order is already random; its first rows are a fair subset.
        try (Tensor subset = real.slice(0, nReal)) {
            realStats = statistics(network, subset);
        }
        List<Metric> metrics = new ArrayList<>();
        int done = 0;
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("FID cancelled before sampler '" + e.getKey() + "'");
            }
            Tensor generated = e.getValue().samples();
            if (generated.rowSize() != real.rowSize()) {
                throw new IllegalArgumentException("sampler '" + e.getKey() + "' drew samples of shape "
                        + Arrays.toString(generated.shape()) + ", the real images are " + Arrays.toString(real.shape()));
            }
            long nGen = Math.min(config.samples(), generated.rows());
            if (nGen < 2) {
                throw new IllegalArgumentException("sampler '" + e.getKey() + "' drew " + generated.rows()
                        + " samples; FID needs at least 2");
            }
            FrechetDistance.Statistics genStats;
            try (Tensor subset = evenlySpaced(generated, nGen, context)) {
                genStats = statistics(network, subset);
            }
            FrechetDistance.Result fid = FrechetDistance.distance(realStats, genStats);
            Map<String, Object> protocol = new LinkedHashMap<>();
            protocol.put("sampler", e.getKey());
            protocol.put("feature_network", network.name());
            protocol.put("feature_network_sha256", network.sha256());
            protocol.put("feature_dimension", realStats.dimension());
            protocol.put("preprocessing", network.preprocessing());
            protocol.put("real_split", config.split());
            protocol.put("n_real", nReal);
            protocol.put("n_generated", nGen);
            protocol.put("generated_selection", nGen == generated.rows() ? "all"
                    : "evenly spaced rows across all chains and draws");
            protocol.put("formula", FORMULA);
            protocol.put("eps", fid.eps());
            protocol.put("eps_offset_applied", fid.offsetApplied());
            metrics.add(new Metric(e.getKey() + "/fid", fid.value(), "fid", protocol));
            context.progress(++done, samples.size());
        }
        return metrics;
    }

    private static FrechetDistance.Statistics statistics(FeatureNetwork network, Tensor images) {
        try (Tensor features = network.features(images)) {
            if (features.rank() != 2 || features.rows() != images.rows()) {
                throw new IllegalStateException("feature network '" + network.name() + "' returned "
                        + Arrays.toString(features.shape()) + " for " + images.rows() + " images; expected [n, d]");
            }
            return FrechetDistance.statistics(Nd4jArrow.view(features));
        }
    }

    /** {@code n} rows spread evenly over {@code x}: a thinned sample of chains rather than the first chain's draws. */
    private static Tensor evenlySpaced(Tensor x, long n, RunContext context) {
        if (n == x.rows()) {
            return x.retain();
        }
        long[] shape = x.shape();
        shape[0] = n;
        Tensor out = Tensor.allocate(context.allocator(), x.dtype(), shape);
        long rowBytes = x.rowSize() * x.dtype().bytes();
        for (long i = 0; i < n; i++) {
            long from = i * x.rows() / n;
            out.buffer().setBytes(i * rowBytes, x.buffer(), from * rowBytes, rowBytes);
        }
        return out;
    }
}
