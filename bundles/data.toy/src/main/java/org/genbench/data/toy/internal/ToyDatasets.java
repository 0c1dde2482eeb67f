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
 * Train and test are drawn from independent child streams of the run's stream ({@code split("train")},
 * {@code split("test")}), so the test set does not change when the training set size does.
 */
@Component(service = DatasetProvider.class)
public final class ToyDatasets implements DatasetProvider<ToyDatasets.Config> {
    public static final List<String> SHAPES = List.of("two-moons", "eight-gaussians", "checkerboard", "swiss-roll");

    /**
     * @param shape one of {@link ToyDatasets#SHAPES}; default {@code eight-gaussians}
     * @param train training examples, 1 to {@value #MAX_EXAMPLES}; default 4000
     * @param test test examples, 1 to {@value #MAX_EXAMPLES}; default 1000
     * @param noise standard deviation of added Gaussian noise, 0 to {@value #MAX_NOISE}; the default depends on the shape
     */
    public record Config(String shape, Integer train, Integer test, Double noise) {
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
        double[] train = generate(config.shape(), config.train(), config.noise(), rng.split("train"));
        double[] test = generate(config.shape(), config.test(), config.noise(), rng.split("test"));
        String checksum = sha256(train, test);
        DataInfo info = new DataInfo("toy/" + config.shape(), new long[] {2}, DataInfo.CONTINUOUS, 0, checksum);
        BufferAllocator allocator = context.allocator();
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(toTensor(train, allocator)));
        try {
            splits.put("test", Batch.of(toTensor(test, allocator)));
        } catch (RuntimeException e) {
            splits.values().forEach(Batch::close);
            throw e;
        }
        return new InMemoryDataset(info, splits);
    }

    /** {@code n} points, interleaved x, y. */
    static double[] generate(String shape, int n, double noise, Rng rng) {
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
                    }
                }
                case "eight-gaussians" -> {
                    double angle = rng.nextInt(8) * Math.PI / 4;
                    x = 2 * Math.sqrt(2) * Math.cos(angle);
                    y = 2 * Math.sqrt(2) * Math.sin(angle);
                }
                case "checkerboard" -> {
                    // FFJORD's construction: pick a column, then one of its two black cells.
                    double u = 4 * rng.nextDouble() - 2;
                    double v = rng.nextDouble() - 2 * rng.nextInt(2) + Math.floorMod((int) Math.floor(u), 2);
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
