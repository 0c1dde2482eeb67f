package org.genbench.eval.forensics.internal;

import java.util.LinkedHashMap;
import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.genbench.testing.Required;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector and the cross-generator table on Fashion-MNIST against two stand-in generators with different
 * artefacts (additive noise; a box blur) until the VAE and GAN bundles can supply real samples. The detector test
 * needs Debian's dataset-fashion-mnist ({@link Required}: skipped without it, failed under CI); the others need
 * nothing.
 */
class ForensicsEvaluatorTest {
    static final Path IMAGES = Required.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz");
    private static byte[] pixels;

    @TempDir
    Path dir;
    private BufferAllocator allocator;

    /** The first 8000 training images, read on first use; needs Fashion-MNIST. */
    static synchronized void load() throws IOException {
        if (pixels != null) {
            return;
        }
        Required.fashionMnist();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(IMAGES)))) {
            in.skipNBytes(16);
            pixels = in.readNBytes(8000 * 784);
        }
    }

    @BeforeEach
    void open() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY)
                .build());
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private double pixel(int image, int p) {
        return (pixels[image * 784 + p] & 0xff) / 255.0;
    }

    /** Images [from, from + n) as float32 [n, 1, 28, 28] in [0, 1], transformed by {@code kind}. */
    private Tensor images(int from, int n, String kind, Rng rng) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 28, 28);
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    double v;
                    if (kind.equals("blur")) {
                        double s = 0;
                        int k = 0;
                        for (int dr = -1; dr <= 1; dr++) {
                            for (int dc = -1; dc <= 1; dc++) {
                                if (r + dr >= 0 && r + dr < 28 && c + dc >= 0 && c + dc < 28) {
                                    s += pixel(from + i, (r + dr) * 28 + c + dc);
                                    k++;
                                }
                            }
                        }
                        v = s / k;
                    } else {
                        v = pixel(from + i, r * 28 + c) + (kind.equals("noise") ? 0.15 * rng.nextGaussian() : 0);
                    }
                    t.setDouble((long) i * 784 + r * 28 + c, Math.min(1, Math.max(0, v)));
                }
            }
        }
        return t;
    }

    /** Real images: 1500 train, 500 test; the dataset owns them. */
    private InMemoryDataset images() {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(images(0, 1500, "real", null)));
        splits.put("test", Batch.of(images(1500, 500, "real", null)));
        return new InMemoryDataset(new DataInfo("test/fashion", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 10, null), splits);
    }

    @Test
    void detectorsBeatChanceOnTheirOwnGeneratorAndTheTableCoversAllPairs() throws IOException {
        load();
        Path blurFile = dir.resolve("blur.arrow");
        try (Tensor blurred = images(4000, 1500, "blur", null)) {
            ArrowIpc.write(blurFile, Map.of("x", blurred));
        }
        ForensicsEvaluator.Config config = new ForensicsEvaluator.Config(Map.of("blur", blurFile.toString()), 1000, 500,
                64, 4, "noise");
        TestRunContext context = new TestRunContext(3, allocator);
        Map<String, Metric> m;
        try (InMemoryDataset data = images();
             SampleResult noisy = new SampleResult(images(2000, 1500, "noise", new Rng(1)), 1, List.of())) {
            m = new ForensicsEvaluator().evaluate(null, data, Map.of("ancestral", noisy), config, context).stream()
                    .collect(Collectors.toMap(Metric::name, Function.identity()));
        }
        assertEquals(8, m.size(), m.keySet().toString());
        for (String g : new String[] {"noise", "blur"}) {
            double acc = m.get(g + "->" + g + "/accuracy").value();
            double ap = m.get(g + "->" + g + "/average_precision").value();
            // Chance is 0.5 for both; measured 0.89..1.0 (blur is the subtler artefact).
            assertTrue(acc > 0.8 && ap > 0.85, g + ": accuracy " + acc + ", AP " + ap);
        }
        Metric cell = m.get("noise->blur/accuracy");
        assertEquals("forensics", cell.kind());
        assertEquals("noise", cell.protocol().get("trained_on"));
        assertEquals("blur", cell.protocol().get("tested_on"));
        assertEquals(500, cell.protocol().get("n_test_real"));
        Path out = context.outputDirectory();
        String md = Files.readString(out.resolve("cross_generator.md"));
        assertTrue(md.contains("| trained on \\ tested on | noise | blur |"), md);
        assertEquals(5, Files.readAllLines(out.resolve("cross_generator.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("cross_generator.json")));
    }

    @Test
    void runReferencesResolveToTheNewestCompletedRunsSamples() throws IOException {
        for (String[] run : new String[][] {{"20260101-000000-vae", "completed"}, {"20260102-000000-vae", "completed"},
                {"20260103-000000-vae", "failed"}}) {
            Path d = Files.createDirectories(dir.resolve("runs").resolve(run[0]).resolve("samples"));
            Files.writeString(d.getParent().resolve("run.json"), "{\"name\": \"vae\", \"status\": \"" + run[1] + "\"}");
            Files.writeString(d.resolve("ancestral.arrow"), "");
        }
        assertEquals(dir.resolve("runs/20260102-000000-vae/samples/ancestral.arrow"),
                ForensicsEvaluator.resolve("run:vae/ancestral", dir));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ForensicsEvaluator.resolve("run:gan/ancestral",
                dir)).getMessage().contains("no completed run named 'gan'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ForensicsEvaluator.resolve("run:vae/hmc", dir))
                .getMessage().contains("no samples of sampler 'hmc'"));
        assertEquals(dir.resolve("x.arrow"), ForensicsEvaluator.resolve("x.arrow", dir));
    }

    @Test
    void configValidation() {
        ForensicsEvaluator.Config c = new ForensicsEvaluator.Config(null, null, null, null, null, null);
        assertEquals(5000, c.train());
        assertEquals(2000, c.test());
        assertEquals("train must be in 10..1000000, was 5", assertThrows(IllegalArgumentException.class,
                () -> new ForensicsEvaluator.Config(null, 5, null, null, null, null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ForensicsEvaluator.Config(Map.of("gan", " "), null, null,
                null, null, null));
    }
}
