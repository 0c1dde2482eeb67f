package org.genbench.data.image.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.ClassWeights;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Fashion-MNIST from Debian's {@code dataset-fashion-mnist}, converted on first use into Arrow IPC (see
 * {@link Prepare}) and checked against the manifest's sha256 every time it is opened. Served as {@code x} FLOAT32
 * {@code [n, 1, 28, 28]} and {@code label} INT32 {@code [n]}; {@code x} holds intensities in [0, 1] (intensity /
 * 255, kind continuous), binarized values {0, 1} (kind binary), or the 8-bit values 0..255 themselves (kind
 * discrete, with the {@link Dequantization} density models use: uniform, optionally with the logit pre-transform).
 * A subset is the first {@code train} (or {@code test}) examples of the split: the files are already in random
 * order, and a prefix keeps a subset the same whatever the seed, so a baseline can be recomputed from the files.
 */
@Component(service = DatasetProvider.class)
public final class FashionMnist implements DatasetProvider<FashionMnist.Config> {
    public static final String NAME = "fashion-mnist";
    static final List<String> BINARIZE = List.of("none", "threshold", "stochastic", "fixed");
    static final List<String> PIXELS = List.of("unit", "8bit");

    /**
     * @param train           training examples, the first of the 60000 (default all, 1..60000)
     * @param test            test examples, the first of the 10000 (default all, 1..10000)
     * @param binarize        {@code none} (default), {@code threshold} (1 where the intensity is at least
     *                        {@code threshold}), {@code stochastic} (1 with probability the intensity, drawn once per
     *                        run from the dataset's seeded stream, Salakhutdinov and Murray 2008) or {@code fixed} (one
     *                        such draw with a fixed seed, the same for every run, saved beside the prepared files and
     *                        checked against the manifest's sha256: the static binarization that published nats on
     *                        binarized data use); all but none give kind binary
     * @param threshold       for {@code threshold}, in (0, 1]; default 0.5
     * @param dataDirectory   where the prepared Arrow files live; default {@code <workspace>/data/fashion-mnist}, or
     *                        {@code ~/.cache/genbench/fashion-mnist} outside a workbench
     * @param sourceDirectory where the Debian package put the IDX files; default the manifest's
     *                        {@code /usr/share/datasets/fashion-mnist}
     * @param pixels          {@code unit} (default: intensity / 255 in [0, 1]) or {@code 8bit} (the integers 0..255,
     *                        kind discrete, dequantized uniformly by density models and by {@code loglik}, which
     *                        then reports bits/dim on the 8-bit scale); 8bit needs binarize none
     * @param logitAlpha      with 8bit: the logit pre-transform's alpha in [0, 0.5), 0 (default) for none; models
     *                        see {@code logit(alpha + (1 - 2 alpha) (x + u) / 256)} and count its Jacobian
     * @param classWeights    a deliberately skewed training split: per class (10), the share of its training
     *                        examples kept relative to the largest weight, each in [0, 1] ({@link ClassWeights}: the
     *                        first ones of each class); default none, all kept. The test split is not skewed
     * @param dequantize      with binarize other than none: declare the binary values 0 and 1 as discrete data with
     *                        two levels, {@code Dequantization(2)}, for density models of continuous values (the deep
     *                        EBM): they see x' = (b + u) / 2 in [0, 1) with u ~ U[0, 1), {@code loglik} scores
     *                        log p(x') - D ln 2, a lower bound on the binary data's log-likelihood in nats, and
     *                        samplers that move continuous states quantize their samples back to 0 and 1 (floor of
     *                        2 x'). Default false: kind binary
     */
    public record Config(Integer train, Integer test, String binarize, Double threshold, String dataDirectory,
                         String sourceDirectory, String pixels, Double logitAlpha, List<Double> classWeights,
                         Boolean dequantize) {
        public Config {
            dequantize = dequantize != null && dequantize;
            train = train == null ? 60000 : train;
            test = test == null ? 10000 : test;
            binarize = binarize == null ? "none" : binarize;
            threshold = threshold == null ? 0.5 : threshold;
            pixels = pixels == null ? "unit" : pixels;
            logitAlpha = logitAlpha == null ? 0.0 : logitAlpha;
            if (train < 1 || train > 60000) {
                throw new IllegalArgumentException("train must be in 1..60000, was " + train);
            }
            if (test < 1 || test > 10000) {
                throw new IllegalArgumentException("test must be in 1..10000, was " + test);
            }
            if (!BINARIZE.contains(binarize)) {
                throw new IllegalArgumentException("binarize must be one of " + BINARIZE + ", was '" + binarize + "'");
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
            }
            if (!PIXELS.contains(pixels)) {
                throw new IllegalArgumentException("pixels must be one of " + PIXELS + ", was '" + pixels + "'");
            }
            if (pixels.equals("8bit") && !binarize.equals("none")) {
                throw new IllegalArgumentException("binarize must be none when pixels is 8bit, was '" + binarize + "'");
            }
            if (!(logitAlpha >= 0 && logitAlpha < 0.5)) {
                throw new IllegalArgumentException("logitAlpha must be in [0, 0.5), was " + logitAlpha);
            }
            if (logitAlpha > 0 && !pixels.equals("8bit")) {
                throw new IllegalArgumentException("logitAlpha needs pixels 8bit (it transforms dequantized 8-bit"
                        + " values), was " + logitAlpha + " with pixels " + pixels);
            }
            if (dequantize && binarize.equals("none")) {
                throw new IllegalArgumentException("dequantize needs binarized data (binarize threshold, stochastic or"
                        + " fixed), was binarize none");
            }
            ClassWeights weights = ClassWeights.of(classWeights);
            if (weights != null) {
                weights.check(10);
                classWeights = weights.weights();
            }
        }

        public Config(Integer train, Integer test, String binarize, Double threshold, String dataDirectory,
                      String sourceDirectory) {
            this(train, test, binarize, threshold, dataDirectory, sourceDirectory, null, null, null, null);
        }

        public Config(Integer train, Integer test, String binarize, Double threshold, String dataDirectory,
                      String sourceDirectory, String pixels, Double logitAlpha, List<Double> classWeights) {
            this(train, test, binarize, threshold, dataDirectory, sourceDirectory, pixels, logitAlpha, classWeights,
                    null);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null);
        }

        boolean eightBit() {
            return pixels.equals("8bit");
        }
    }

    private final Manifest manifest = Manifest.fashionMnist();
    private volatile Path defaultDataDirectory;

    public FashionMnist() {
        this.defaultDataDirectory = Path.of(System.getProperty("user.home"), ".cache", "genbench", NAME);
    }

    /** In a workbench, the prepared files go under its workspace (git-ignored {@code workspace/data/}). */
    @Activate
    void activate(BundleContext context) {
        String workspace = context.getProperty("genbench.workspace");
        if (workspace != null) {
            defaultDataDirectory = Path.of(workspace, "data", NAME);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Fashion-MNIST 28x28 grayscale, 10 classes (Debian dataset-fashion-mnist, prepared to Arrow IPC); "
                + "[0,1], 8-bit (dequantized by density models, bits/dim on the 8-bit scale) or binarized (threshold, "
                + "stochastic, fixed)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Dataset open(Config config, RunContext context) throws IOException {
        Path dataDir = config.dataDirectory() != null ? Path.of(config.dataDirectory()) : defaultDataDirectory;
        Path sourceDir = Path.of(config.sourceDirectory() != null ? config.sourceDirectory() : manifest.sourceDirectory());
        BufferAllocator allocator = context.allocator();
        Map<String, Path> files = Prepare.ensure(manifest, sourceDir, dataDir, allocator);
        if (config.binarize().equals("fixed")) {
            files = FixedBinarization.ensure(manifest, files, dataDir, allocator);
        }
        Map<String, Batch> splits = new LinkedHashMap<>();
        try {
            Batch train = load(files.get("train"), config.train(), config, context.rng().split("train"), allocator);
            if (config.classWeights() != null) {
                try (Batch all = train) {
                    train = new ClassWeights(config.classWeights()).apply(all, allocator);
                }
            }
            splits.put("train", train);
            splits.put("test", load(files.get("test"), config.test(), config, context.rng().split("test"), allocator));
        } catch (IOException | RuntimeException e) {
            splits.values().forEach(Batch::close);
            throw e;
        }
        String kind = config.eightBit() || config.dequantize() ? DataInfo.DISCRETE
                : config.binarize().equals("none") ? DataInfo.CONTINUOUS : DataInfo.BINARY;
        String name = NAME + (config.eightBit() ? "/8bit" : config.binarize().equals("none") ? "" : "/" + config.binarize())
                + (config.dequantize() ? "/2-levels" : "");
        Dequantization dequantization = config.eightBit() ? new Dequantization(256, config.logitAlpha())
                : config.dequantize() ? new Dequantization(2, 0) : null;
        DataInfo info = new DataInfo(name, new long[] {1, 28, 28}, kind, manifest.classes().size(), checksum(splits),
                dequantization);
        return new InMemoryDataset(info, splits);
    }

    /**
     * The first {@code n} rows of a prepared file as float32, scaled and binarized per the settings (the fixed
     * binarization's files already hold 0 and 1).
     */
    private static Batch load(Path file, int n, Config config, Rng rng, BufferAllocator allocator) throws IOException {
        Map<String, Tensor> raw = ArrowIpc.read(file, allocator);
        try {
            Tensor bytes = raw.get("x");
            Tensor labels = raw.get("label");
            if (bytes == null || labels == null || bytes.dtype() != DType.UINT8 || labels.dtype() != DType.INT32
                    || bytes.rowSize() != 784) {
                throw new IOException(file + ": expected columns x (UINT8, 784 per row) and label (INT32), found "
                        + raw);
            }
            Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 28, 28);
            Tensor label = null;
            try {
                ArrowBuf in = bytes.buffer();
                ArrowBuf out = x.buffer();
                long values = (long) n * 784;
                double t = config.threshold();
                boolean stochastic = config.binarize().equals("stochastic");
                boolean threshold = config.binarize().equals("threshold");
                float scale = config.eightBit() || config.binarize().equals("fixed") ? 1f : 255f;
                for (long i = 0; i < values; i++) {
                    float v = (in.getByte(i) & 0xff) / scale;
                    if (threshold) {
                        v = v >= t ? 1f : 0f;
                    } else if (stochastic) {
                        v = rng.nextDouble() < v ? 1f : 0f;
                    }
                    out.setFloat(4 * i, v);
                }
                label = labels.slice(0, n);
                return Batch.of(x, label);
            } catch (RuntimeException e) {
                x.close();
                if (label != null) {
                    label.close();
                }
                throw e;
            }
        } finally {
            raw.values().forEach(Tensor::close);
        }
    }

    /** sha256 over the served tensors' bytes (little-endian, as Arrow stores them), train then test. */
    private static String checksum(Map<String, Batch> splits) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[1 << 16];
            for (Batch b : splits.values()) {
                for (Tensor t : b.tensors().values()) {
                    long bytes = t.size() * t.dtype().bytes();
                    for (long off = 0; off < bytes; off += chunk.length) {
                        int len = (int) Math.min(chunk.length, bytes - off);
                        t.buffer().getBytes(off, chunk, 0, len);
                        digest.update(chunk, 0, len);
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
