package org.genbench.data.toy.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.ClassWeights;
import org.genbench.api.DataInfo;
import org.genbench.api.DataSize;
import org.genbench.api.MemoryDemand;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * The 2-D toy densities of the normalizing-flow and score-matching literature, following FFJORD's
 * {@code lib/toy_data.py} (Grathwohl et al. 2019), with the sampling noise as a setting. {@code noise} is always
 * the standard deviation of isotropic Gaussian noise in the output coordinates:
 * <ul>
 * <li>{@code two-moons}: sklearn's {@code make_moons} scaled by 2 and shifted by (-1, -0.2), so the upper moon is
 * the half circle of radius 2 around (-1, -0.2) and the lower one the half circle around (1, 0.8); the angle is
 * drawn uniformly instead of on a grid. Default noise 0.2 (sklearn's 0.1 times the scale 2).</li>
 * <li>{@code eight-gaussians}: equal-weight Gaussians centred on the unit circle at multiples of 45 degrees,
 * times 4, divided by sqrt 2 (FFJORD divides by 1.414): centres at radius 2 sqrt 2. Default noise 0.5 / sqrt 2.</li>
 * <li>{@code checkerboard}: uniform on the 8 black squares of a 4 x 4 board of side-2 squares covering
 * [-4, 4]^2, black being the squares whose cell indices floor(x/2) + floor(y/2) are even. Default noise 0.</li>
 * <li>{@code swiss-roll}: sklearn's {@code make_swiss_roll} projected on (x, z) and divided by 5:
 * (t cos t, t sin t) / 5 with t uniform on [1.5 pi, 4.5 pi]. Default noise 0.2 (sklearn's 1.0 divided by 5).</li>
 * </ul>
 * With noise (or for the checkerboard) the opened dataset knows its density ({@link org.genbench.api.KnownDensity},
 * computed by {@link ToyDensities}), so evaluators can put a model's log-likelihood beside the truth's.
 * Train and test are drawn from independent child streams of the run's stream ({@code split("train")},
 * {@code split("test")}), so the test set does not change when the training set size does.
 *
 * <p>With {@code labels}, each point carries the part of the density it was drawn from as its class: the mode of
 * eight-gaussians (0..7, counter-clockwise from angle 0), the moon of two-moons (0 upper, 1 lower), the black square
 * of checkerboard (0..7, column-major from the lower left); swiss-roll has none. The points are the same with and
 * without labels. {@code classWeights} then keeps a skewed subset of the training split ({@link ClassWeights}).
 */
@Component(service = DatasetProvider.class)
public final class ToyDatasets implements DatasetProvider<ToyDatasets.Config> {
    public static final List<String> SHAPES = List.of("two-moons", "eight-gaussians", "checkerboard", "swiss-roll");

    /**
     * @param shape one of {@link ToyDatasets#SHAPES}; default {@code eight-gaussians}
     * @param train training examples, 1 to {@value #MAX_EXAMPLES}; default 4000
     * @param test test examples, 1 to {@value #MAX_EXAMPLES}; default 1000
     * @param noise standard deviation of added Gaussian noise, 0 to {@value #MAX_NOISE}; the default depends on the shape
     * @param labels whether points carry their mode, moon or square as a class label (default false)
     * @param classWeights a skewed training subset: per class, the share of its training points kept relative to
     *                     the largest weight, each in [0, 1] (default none: all kept); needs {@code labels}
     */
    public record Config(String shape, Integer train, Integer test, Double noise, Boolean labels,
                         List<Double> classWeights) {
        /** Both coordinates of a split are generated into one Java array, which holds at most 2^31 - 1 values. */
        public static final int MAX_EXAMPLES = (Integer.MAX_VALUE - 8) / 2;
        /** The shapes span about [-4, 4]; noise of 100 buries them completely, more is a typing mistake. */
        public static final double MAX_NOISE = 100;

        public Config {
            shape = shape == null ? "eight-gaussians" : shape;
            if (!SHAPES.contains(shape)) {
                throw new IllegalArgumentException("shape must be one of " + SHAPES + ", was '" + shape + "'");
            }
            train = train == null ? 4000 : train;
            if (train < 1 || train > MAX_EXAMPLES) {
                throw new IllegalArgumentException("train must be in 1.." + MAX_EXAMPLES + ", was " + train);
            }
            test = test == null ? 1000 : test;
            if (test < 1 || test > MAX_EXAMPLES) {
                throw new IllegalArgumentException("test must be in 1.." + MAX_EXAMPLES + ", was " + test);
            }
            noise = noise == null ? defaultNoise(shape) : noise;
            if (!(noise >= 0 && noise <= MAX_NOISE)) {
                throw new IllegalArgumentException("noise must be in 0.." + (long) MAX_NOISE + ", was " + noise);
            }
            labels = labels != null && labels;
            if (labels && classes(shape) == 0) {
                throw new IllegalArgumentException("labels: shape '" + shape + "' has no classes; labelled shapes are"
                        + " two-moons, eight-gaussians, checkerboard");
            }
            ClassWeights weights = ClassWeights.of(classWeights);
            if (weights != null) {
                if (!labels) {
                    throw new IllegalArgumentException("classWeights needs labels: true");
                }
                weights.check(classes(shape));
                classWeights = weights.weights();
            }
        }

        static int classes(String shape) {
            return switch (shape) {
                case "two-moons" -> 2;
                case "eight-gaussians", "checkerboard" -> 8;
                default -> 0;
            };
        }

        private static double defaultNoise(String shape) {
            return switch (shape) {
                case "two-moons" -> 0.2;
                case "eight-gaussians" -> 0.5 / Math.sqrt(2);
                case "checkerboard" -> 0.0;
                case "swiss-roll" -> 0.2;
                default -> throw new IllegalArgumentException(shape);
            };
        }
    }

    public ToyDatasets() {
    }

    @Override
    public String name() {
        return "toy";
    }

    @Override
    public String description() {
        return "2-D toy densities (two moons, eight Gaussians, checkerboard, swiss roll) as in FFJORD";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Optional<DataSize> size(Config config) {
        return Optional.of(new DataSize(new long[] {2}, Map.of("train", (long) config.train(), "test", (long) config.test())));
    }

    /** Each example is generated as two doubles and kept as two floats. */
    @Override
    public List<MemoryDemand> memory(Config config, DataSize data) {
        return List.of(new MemoryDemand("train", config.train(), 2 * (8 + 4), "examples of 2 values"),
                new MemoryDemand("test", config.test(), 2 * (8 + 4), "examples of 2 values"));
    }

    @Override
    public Dataset open(Config config, RunContext context) {
        Rng rng = context.rng();
        int[] trainLabels = new int[config.train()];
        int[] testLabels = new int[config.test()];
        double[] train = generate(config.shape(), config.train(), config.noise(), rng.split("train"), trainLabels);
        double[] test = generate(config.shape(), config.test(), config.noise(), rng.split("test"), testLabels);
        BufferAllocator allocator = context.allocator();
        Map<String, Batch> splits = new LinkedHashMap<>();
        try {
            if (config.labels()) {
                Batch all = Batch.of(toTensor(train, allocator), labelTensor(trainLabels, allocator));
                if (config.classWeights() != null) {
                    try (all) {
                        splits.put("train", new ClassWeights(config.classWeights()).apply(all, allocator));
                    }
                } else {
                    splits.put("train", all);
                }
                splits.put("test", Batch.of(toTensor(test, allocator), labelTensor(testLabels, allocator)));
            } else {
                splits.put("train", Batch.of(toTensor(train, allocator)));
                splits.put("test", Batch.of(toTensor(test, allocator)));
            }
        } catch (RuntimeException e) {
            splits.values().forEach(Batch::close);
            throw e;
        }
        // The checksum covers what is served: the points, and the labels when there are any.
        String checksum = config.labels() ? sha256(splits) : sha256(train, test);
        DataInfo info = new DataInfo("toy/" + config.shape(), new long[] {2}, DataInfo.CONTINUOUS,
                config.labels() ? Config.classes(config.shape()) : 0, checksum);
        InMemoryDataset data = new InMemoryDataset(info, splits);
        // With a density (any noise, or the checkerboard's uniform squares), evaluators can score against the truth;
        // not for a deliberately skewed training split, which no longer follows it.
        return ToyDensities.exists(config.shape(), config.noise()) && config.classWeights() == null
                ? new ToyDataset(data, config.shape(), config.noise()) : data;
    }

    private static Tensor labelTensor(int[] labels, BufferAllocator allocator) {
        Tensor t = Tensor.allocate(allocator, DType.INT32, labels.length);
        for (int i = 0; i < labels.length; i++) {
            t.setDouble(i, labels[i]);
        }
        return t;
    }

    /** Over every served tensor's bytes as Arrow stores them (little-endian), train then test. */
    private static String sha256(Map<String, Batch> splits) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Batch b : splits.values()) {
                for (Tensor t : b.tensors().values()) {
                    byte[] bytes = new byte[Math.toIntExact(t.size() * t.dtype().bytes())];
                    t.buffer().getBytes(0, bytes);
                    digest.update(bytes);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** {@code n} points, interleaved x, y. */
    static double[] generate(String shape, int n, double noise, Rng rng) {
        return generate(shape, n, noise, rng, new int[n]);
    }

    /** {@code n} points, interleaved x, y; each point's class into {@code labels} (0 for swiss-roll). */
    static double[] generate(String shape, int n, double noise, Rng rng, int[] labels) {
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double x;
            double y;
            switch (shape) {
                case "two-moons" -> {
                    double t = Math.PI * rng.nextDouble();
                    if (rng.nextDouble() < 0.5) {
                        x = 2 * Math.cos(t) - 1;
                        y = 2 * Math.sin(t) - 0.2;
                    } else {
                        x = 1 - 2 * Math.cos(t);
                        y = 0.8 - 2 * Math.sin(t);
                        labels[i] = 1;
                    }
                }
                case "eight-gaussians" -> {
                    int mode = rng.nextInt(8);
                    labels[i] = mode;
                    double angle = mode * Math.PI / 4;
                    x = 2 * Math.sqrt(2) * Math.cos(angle);
                    y = 2 * Math.sqrt(2) * Math.sin(angle);
                }
                case "checkerboard" -> {
                    // FFJORD's construction: pick a column, then one of its two black cells.
                    double u = 4 * rng.nextDouble() - 2;
                    double r = rng.nextDouble(); // drawn before the cell, as always
                    int cell = rng.nextInt(2);
                    double v = r - 2 * cell + Math.floorMod((int) Math.floor(u), 2);
                    // column floor(u) + 2 in 0..3, and the lower (cell 1) or upper square in it
                    labels[i] = 2 * ((int) Math.floor(u) + 2) + (1 - cell);
                    x = 2 * u;
                    y = 2 * v;
                }
                case "swiss-roll" -> {
                    double t = 1.5 * Math.PI * (1 + 2 * rng.nextDouble());
                    x = t * Math.cos(t) / 5;
                    y = t * Math.sin(t) / 5;
                }
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            }
            if (noise > 0) {
                x += noise * rng.nextGaussian();
                y += noise * rng.nextGaussian();
            }
            xy[2 * i] = x;
            xy[2 * i + 1] = y;
        }
        return xy;
    }

    private static Tensor toTensor(double[] xy, BufferAllocator allocator) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, xy.length / 2, 2);
        for (int i = 0; i < xy.length; i++) {
            t.setDouble(i, xy[i]);
        }
        return t;
    }

    /** Over the float32 values as stored, little-endian (Arrow's byte order), train then test. */
    static String sha256(double[]... splits) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (double[] values : splits) {
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : values) {
                    bytes.putFloat((float) v);
                }
                digest.update(bytes.array());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
