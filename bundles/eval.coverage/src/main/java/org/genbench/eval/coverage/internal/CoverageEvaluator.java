package org.genbench.eval.coverage.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.vision.FashionMnistIdx;
import org.genbench.vision.FeatureNetwork;
import org.genbench.vision.FeatureNetworks;
import org.genbench.vision.Neighbours;
import org.genbench.vision.Vectors;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Hallucination and coverage of every sampler's samples in a feature space: improved precision and recall
 * (Kynkaenniemi et al. 2019) and density and coverage (Naeem et al. 2020) against real held-out data with k stated in
 * the protocol ({@link Prdc}), and a memorisation check against the training split: how close samples sit to their
 * nearest training example, compared with how close new real data sits (the ratio of medians, and the share of
 * samples closer than all but 1% of held-out real examples). For images, two pictures per sampler show the least
 * typical samples (furthest outside the real manifold: hallucinations) and the samples closest to a training image
 * (copies), each beside its nearest training images.
 *
 * <p>Features: images of Fashion-MNIST's size go through the in-project feature network (the FID network by default),
 * other data is compared as it is ({@code raw}).
 */
@Component(service = Evaluator.class)
public final class CoverageEvaluator implements Evaluator<CoverageEvaluator.Config> {
    static final String RAW = "raw";
    static final String AUTO = "auto";

    /**
     * @param k           the neighbourhood size of the k-NN balls, 1..100 (default 5, as Naeem et al.)
     * @param samples     at most this many real, training and generated examples each, k+1..100000 (default 5000)
     * @param split       the real examples the samples are compared with (default {@code test})
     * @param features    {@code auto} (default: the feature network for 28x28 images, raw values otherwise),
     *                    {@code raw}, or a feature network as the fid evaluator names them (a registered name, a DL4J
     *                    {@code .zip} or a Keras {@code .h5})
     * @param layer       a model file's feature layer (default the one before its output)
     * @param cacheDir    where the default network is cached (default {@code ~/.cache/genbench})
     * @param fashionMnistDir where the default network's training data is (Debian's dataset-fashion-mnist)
     * @param rows        samples shown per picture, 0..64 (default 8; 0: no pictures)
     * @param neighbours  nearest training images shown beside each, 1..16 (default 6)
     */
    public record Config(Integer k, Integer samples, String split, String features, Integer layer, String cacheDir,
                         String fashionMnistDir, Integer rows, Integer neighbours) {
        public Config {
            k = k == null ? 5 : k;
            if (k < 1 || k > 100) {
                throw new IllegalArgumentException("k must be in 1..100, was " + k);
            }
            samples = samples == null ? 5000 : samples;
            if (samples < k + 1 || samples > 100_000) {
                throw new IllegalArgumentException("samples must be in " + (k + 1) + "..100000 (more than k), was "
                        + samples);
            }
            split = split == null ? "test" : split;
            if (split.isBlank()) {
                throw new IllegalArgumentException("split must name a dataset split such as 'test', was blank");
            }
            features = features == null ? AUTO : features;
            if (!features.equals(AUTO) && !features.equals(RAW)) {
                FeatureNetworks.checkName(features);
            }
            if (layer != null && layer < 0) {
                throw new IllegalArgumentException("layer must be >= 0, was " + layer);
            }
            cacheDir = cacheDir == null ? FeatureNetworks.defaultCacheDir() : cacheDir;
            fashionMnistDir = fashionMnistDir == null ? FashionMnistIdx.DEFAULT_DIR : fashionMnistDir;
            rows = rows == null ? 8 : rows;
            if (rows < 0 || rows > 64) {
                throw new IllegalArgumentException("rows must be in 0..64, was " + rows);
            }
            neighbours = neighbours == null ? 6 : neighbours;
            if (neighbours < 1 || neighbours > 16) {
                throw new IllegalArgumentException("neighbours must be in 1..16, was " + neighbours);
            }
        }
    }

    private final List<FeatureNetwork> registered = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addNetwork(FeatureNetwork network) {
        registered.add(network);
    }

    void removeNetwork(FeatureNetwork network) {
        registered.remove(network);
    }

    @Override
    public String name() {
        return "coverage";
    }

    @Override
    public String description() {
        return "Hallucination and coverage: precision/recall and density/coverage in feature space (k in the protocol);"
                + " nearest training images of the least typical samples";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.none();
    }

    /** What the features are: a network, or the values themselves. */
    private record Space(FeatureNetwork network) {
        double[] features(Tensor x) {
            if (network == null) {
                return Vectors.doubles(x);
            }
            try (Tensor f = network.features(x)) {
                return Vectors.doubles(f);
            }
        }

        int dimension(Tensor x) {
            if (network == null) {
                return (int) x.rowSize();
            }
            try (Tensor one = x.slice(0, 1); Tensor f = network.features(one)) {
                return (int) f.rowSize();
            }
        }

        void describe(Map<String, Object> protocol) {
            if (network == null) {
                protocol.put("features", "raw values, flattened");
            } else {
                protocol.put("features", network.name());
                protocol.put("feature_network_sha256", network.sha256());
                protocol.put("preprocessing", network.preprocessing());
            }
        }
    }

    Space space(Config config, DataInfo info) {
        String f = config.features();
        if (f.equals(AUTO)) {
            long[] shape = info.sampleShape();
            boolean image = shape.length >= 2 && info.dimension() == FashionMnistIdx.PIXELS;
            f = image ? FeatureNetworks.DEFAULT : RAW;
        }
        if (f.equals(RAW)) {
            return new Space(null);
        }
        return new Space(FeatureNetworks.resolve(f, config.layer(), Path.of(config.cacheDir()),
                Path.of(config.fashionMnistDir()), registered));
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        DataInfo info = data.info();
        Space space = space(config, info);
        Tensor real = data.split(config.split()).x();
        int nReal = (int) Math.min(config.samples(), real.rows());
        if (nReal <= config.k()) {
            throw new IllegalArgumentException("split '" + config.split() + "' has " + real.rows()
                    + " examples; k = " + config.k() + " needs at least " + (config.k() + 1));
        }
        double[] realF;
        int d;
        try (Tensor head = real.slice(0, nReal)) {
            realF = space.features(head);
            d = realF.length / nReal;
        }
        // Memorisation: the training examples, and held-out real examples as the yardstick of "new data".
        Tensor train = data.split("train").x();
        int nTrain = (int) Math.min(config.samples(), train.rows());
        double[] trainF;
        try (Tensor head = train.slice(0, nTrain)) {
            trainF = space.features(head);
        }
        String heldOutSplit = config.split().equals("train") ? (data.splits().contains("test") ? "test" : null)
                : config.split();
        double[] heldOutToTrain = null;
        if (heldOutSplit != null) {
            if (heldOutSplit.equals(config.split())) {
                heldOutToTrain = Neighbours.nearestDistances(realF, trainF, d);
            } else {
                Tensor held = data.split(heldOutSplit).x();
                try (Tensor head = held.slice(0, Math.min(config.samples(), held.rows()))) {
                    heldOutToTrain = Neighbours.nearestDistances(space.features(head), trainF, d);
                }
            }
        }
        List<Metric> metrics = new ArrayList<>();
        int done = 0;
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("coverage cancelled before sampler '" + e.getKey() + "'");
            }
            String sampler = e.getKey();
            Tensor generated = e.getValue().samples();
            if (generated.rowSize() != real.rowSize()) {
                throw new IllegalArgumentException("sampler '" + sampler + "' drew samples of shape "
                        + Arrays.toString(generated.shape()) + ", the real examples are " + Arrays.toString(real.shape()));
            }
            int nGen = (int) Math.min(config.samples(), generated.rows());
            if (nGen <= config.k()) {
                throw new IllegalArgumentException("sampler '" + sampler + "' drew " + generated.rows()
                        + " samples; k = " + config.k() + " needs at least " + (config.k() + 1));
            }
            int[] picked = evenlySpaced(generated.rows(), nGen);
            double[] genF;
            float[] genPixels = Vectors.gather(Vectors.floats(generated), (int) generated.rowSize(), picked);
            try (Tensor subset = rowsOf(genPixels, generated, nGen, context)) {
                genF = space.features(subset);
            }
            Prdc.Result r = Prdc.compute(realF, genF, d, config.k());
            Map<String, Object> protocol = new LinkedHashMap<>();
            protocol.put("sampler", sampler);
            protocol.put("k", config.k());
            protocol.put("real_split", config.split());
            protocol.put("n_real", nReal);
            protocol.put("n_generated", nGen);
            protocol.put("generated_selection", nGen == generated.rows() ? "all" : "evenly spaced rows");
            space.describe(protocol);
            protocol.put("definition", "k-NN balls within each set (point itself excluded), inside = distance < radius;"
                    + " Kynkaenniemi et al. 2019 (precision, recall), Naeem et al. 2020 (density, coverage)");
            metrics.add(new Metric(sampler + "/precision", r.precision(), "prdc", protocol));
            metrics.add(new Metric(sampler + "/recall", r.recall(), "prdc", protocol));
            metrics.add(new Metric(sampler + "/density", r.density(), "prdc", protocol));
            metrics.add(new Metric(sampler + "/coverage", r.coverage(), "prdc", protocol));

            double[] genToTrain = Neighbours.nearestDistances(genF, trainF, d);
            if (heldOutToTrain != null) {
                double yardstick = median(heldOutToTrain);
                double q01 = quantile(heldOutToTrain, 0.01);
                int close = 0;
                for (double v : genToTrain) {
                    close += v < q01 ? 1 : 0;
                }
                Map<String, Object> mem = new LinkedHashMap<>();
                mem.put("sampler", sampler);
                mem.put("n_train", nTrain);
                mem.put("n_generated", nGen);
                mem.put("held_out_split", heldOutSplit);
                space.describe(mem);
                mem.put("train_distance_ratio", "median over samples of the distance to the nearest training example,"
                        + " over the same median for held-out real examples (1: as far as new data; near 0: copies)");
                mem.put("near_copies", "share of samples nearer a training example than the 1% quantile of held-out"
                        + " real examples' nearest-training distances (0.01 for samples that behave like new data)");
                mem.put("held_out_median_distance", yardstick);
                mem.put("held_out_q01_distance", q01);
                metrics.add(new Metric(sampler + "/train_distance_ratio", median(genToTrain) / yardstick,
                        "memorisation", mem));
                metrics.add(new Metric(sampler + "/near_copies", (double) close / nGen, "memorisation", mem));
            }
            if (config.rows() > 0 && isImage(info)) {
                try {
                    pictures(sampler, info, genPixels, genF, trainF, d, r, genToTrain, data.split("train").x(), nTrain,
                            config, context);
                } catch (IOException io) {
                    throw new UncheckedIOException("cannot write the coverage pictures: " + io.getMessage(), io);
                }
            }
            context.progress(++done, samples.size());
        }
        return metrics;
    }

    private static boolean isImage(DataInfo info) {
        long[] shape = info.sampleShape();
        return shape.length >= 2 && shape[shape.length - 1] * shape[shape.length - 2] == info.dimension();
    }

    private void pictures(String sampler, DataInfo info, float[] genPixels, double[] genF, double[] trainF, int d,
                          Prdc.Result r, double[] genToTrain, Tensor train, int nTrain, Config config,
                          RunContext context) throws IOException {
        long[] shape = info.sampleShape();
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int pixels = h * w;
        int m = genF.length / d;
        int rows = Math.min(config.rows(), m);
        float[] trainPixels;
        try (Tensor head = train.slice(0, nTrain)) {
            trainPixels = Vectors.floats(head);
        }
        Integer[] order = new Integer[m];
        for (int j = 0; j < m; j++) {
            order[j] = j;
        }
        Integer[] byOutside = order.clone();
        Arrays.sort(byOutside, (a, b) -> Double.compare(r.outsideRatio()[b], r.outsideRatio()[a]));
        Integer[] byCloseness = order.clone();
        Arrays.sort(byCloseness, (a, b) -> Double.compare(genToTrain[a], genToTrain[b]));
        Path dir = context.outputDirectory();
        write(dir.resolve("least-typical-" + sampler + ".png"), byOutside, rows, genPixels, genF, trainPixels, trainF,
                d, pixels, h, w, config, j -> String.format(Locale.ROOT, "outside real manifold\nratio %.2f\nnearest train %.3f",
                        r.outsideRatio()[j], genToTrain[j]),
                info.name() + ", " + sampler + ": least typical samples (red) and their nearest training images");
        write(dir.resolve("closest-to-training-" + sampler + ".png"), byCloseness, rows, genPixels, genF, trainPixels,
                trainF, d, pixels, h, w, config, j -> String.format(Locale.ROOT, "nearest train %.3f\nratio %.2f",
                        genToTrain[j], r.outsideRatio()[j]),
                info.name() + ", " + sampler + ": samples closest to a training image (red) and their nearest ones");
    }

    private static void write(Path file, Integer[] order, int rows, float[] genPixels, double[] genF,
                              float[] trainPixels, double[] trainF, int d, int pixels, int h, int w, Config config,
                              java.util.function.IntFunction<String> caption, String title) throws IOException {
        int[] chosen = new int[rows];
        for (int i = 0; i < rows; i++) {
            chosen[i] = order[i];
        }
        double[] queries = Vectors.gather(genF, d, chosen);
        int k = Math.min(config.neighbours(), trainF.length / d);
        Neighbours.Result nn = Neighbours.nearest(queries, trainF, d, k);
        List<NeighbourPicture.Row> picture = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            float[] sample = Arrays.copyOfRange(genPixels, chosen[i] * pixels, (chosen[i] + 1) * pixels);
            List<float[]> near = new ArrayList<>();
            for (int t : nn.index()[i]) {
                near.add(Arrays.copyOfRange(trainPixels, t * pixels, (t + 1) * pixels));
            }
            picture.add(new NeighbourPicture.Row(sample, near, "sample " + chosen[i] + "\n" + caption.apply(chosen[i])));
        }
        NeighbourPicture.write(picture, h, w, title, file);
    }

    private static Tensor rowsOf(float[] pixels, Tensor like, int n, RunContext context) {
        long[] shape = like.shape();
        shape[0] = n;
        Tensor t = Tensor.allocate(context.allocator(), org.genbench.api.tensor.DType.FLOAT32, shape);
        t.buffer().nioBuffer(0, pixels.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(pixels);
        return t;
    }

    /** {@code n} row indices spread evenly over {@code rows}: a thinned sample of chains rather than the first chain. */
    static int[] evenlySpaced(long rows, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) (i * rows / n);
        }
        return out;
    }

    static double median(double[] v) {
        return quantile(v, 0.5);
    }

    /** The q-quantile with linear interpolation between order statistics (numpy's default). */
    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }
}
