package org.genbench.data.image.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.Required;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests that read Debian's dataset-fashion-mnist say so first ({@link Required}: skipped without it, failed under
 * CI, which installs it); the one about a missing package needs nothing.
 */
class FashionMnistTest {
    static final Manifest MANIFEST = Manifest.fashionMnist();
    static final Path SOURCE = Path.of(MANIFEST.sourceDirectory());

    @TempDir
    Path dir;
    BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    private Dataset open(FashionMnist.Config c, long seed) throws IOException {
        return new FashionMnist().open(c, new TestRunContext(seed, allocator));
    }

    private FashionMnist.Config config(int train, int test, String binarize) {
        return new FashionMnist.Config(train, test, binarize, null, dir.resolve("data").toString(), null, null, null, null);
    }

    @Test
    void preparesOnFirstUseIntoArrowFilesWithTheManifestsChecksums() throws IOException {
        Required.fashionMnist();
        try (Dataset d = open(config(100, 50, "none"), 1)) {
            DataInfo info = d.info();
            assertArrayEquals(new long[] {1, 28, 28}, info.sampleShape());
            assertEquals(DataInfo.CONTINUOUS, info.kind());
            assertEquals(10, info.numClasses());
            assertEquals(64, info.checksum().length());
            Tensor x = d.split("train").x();
            assertEquals(DType.FLOAT32, x.dtype());
            assertArrayEquals(new long[] {100, 1, 28, 28}, x.shape());
            assertArrayEquals(new long[] {50, 1, 28, 28}, d.split("test").x().shape());
            double[] v = x.toDoubleArray();
            assertTrue(java.util.Arrays.stream(v).allMatch(a -> a >= 0 && a <= 1));
            // Fashion-MNIST's mean intensity is 0.286 (72.9 / 255) over the whole training set; 100 images come close.
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            assertEquals(0.286, mean, 0.03);
            // The first training label of Fashion-MNIST is 9 (ankle boot), the second 0 (T-shirt/top).
            Tensor label = d.split("train").label().orElseThrow();
            assertEquals(DType.INT32, label.dtype());
            assertEquals(9, label.getDouble(0));
            assertEquals(0, label.getDouble(1));
        }
        for (Manifest.Split s : MANIFEST.splits().values()) {
            assertEquals(s.sha256(), Prepare.sha256(dir.resolve("data").resolve(s.file())), s.file());
        }
    }

    @Test
    void thresholdAndStochasticBinarizationGiveZerosAndOnesAndStochasticIsSeeded() throws IOException {
        Required.fashionMnist();
        double grey;
        try (Dataset d = open(config(200, 10, "none"), 1)) {
            grey = java.util.Arrays.stream(d.split("train").x().toDoubleArray()).average().orElseThrow();
        }
        double[] a;
        try (Dataset d = open(config(200, 10, "stochastic"), 7)) {
            assertEquals(DataInfo.BINARY, d.info().kind());
            a = d.split("train").x().toDoubleArray();
        }
        try (Dataset d = open(config(200, 10, "stochastic"), 7)) {
            assertArrayEquals(a, d.split("train").x().toDoubleArray(), "same seed, same draws");
        }
        try (Dataset d = open(config(200, 10, "stochastic"), 8)) {
            assertNotEquals(java.util.Arrays.hashCode(a), java.util.Arrays.hashCode(d.split("train").x().toDoubleArray()));
        }
        assertTrue(java.util.Arrays.stream(a).allMatch(v -> v == 0 || v == 1));
        // E[bit] = intensity: 156800 Bernoulli draws, standard error below 0.0012.
        assertEquals(grey, java.util.Arrays.stream(a).average().orElseThrow(), 0.005);
        try (Dataset d = open(config(200, 10, "threshold"), 1)) {
            double[] t = d.split("train").x().toDoubleArray();
            assertTrue(java.util.Arrays.stream(t).allMatch(v -> v == 0 || v == 1));
        }
    }

    @Test
    void eightBitPixelsAreTheFilesIntegersWithTheirDequantizationDeclared() throws IOException {
        double[] unit;
        try (Dataset d = open(config(50, 10, "none"), 1)) {
            unit = d.split("train").x().toDoubleArray();
            assertEquals(null, d.info().dequantization());
        }
        FashionMnist.Config c = new FashionMnist.Config(50, 10, null, null, dir.resolve("data").toString(), null,
                "8bit", 1e-6, null);
        try (Dataset d = open(c, 1)) {
            assertEquals(DataInfo.DISCRETE, d.info().kind());
            assertEquals(new org.genbench.api.Dequantization(256, 1e-6), d.info().dequantization());
            assertEquals("fashion-mnist/8bit", d.info().name());
            double[] bytes = d.split("train").x().toDoubleArray();
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(Math.rint(bytes[i]), bytes[i]);
                assertEquals(unit[i], (float) (bytes[i] / 255), 0.0, "pixel " + i);
            }
            assertEquals(255, java.util.Arrays.stream(bytes).max().orElseThrow());
        }
    }

    @Test
    void theFixedBinarizationIsOneSavedDrawCheckedByItsSha256WhateverTheRunSeed() throws IOException {
        double[] grey;
        try (Dataset d = open(config(1000, 10, "none"), 1)) {
            grey = d.split("train").x().toDoubleArray();
        }
        double[] a;
        try (Dataset d = open(config(1000, 10, "fixed"), 7)) {
            assertEquals(DataInfo.BINARY, d.info().kind());
            assertEquals("fashion-mnist/fixed", d.info().name());
            a = d.split("train").x().toDoubleArray();
        }
        try (Dataset d = open(config(1000, 10, "fixed"), 8)) {
            assertArrayEquals(a, d.split("train").x().toDoubleArray(), "another run seed, the same images");
        }
        double ones = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] == 0 || a[i] == 1);
            if (grey[i] == 0) {
                assertEquals(0, a[i], "a background pixel is never drawn as 1");
            } else if (grey[i] == 1) {
                assertEquals(1, a[i], "a full-ink pixel is always 1");
            }
            ones += a[i];
        }
        // E[bit] = intensity: 784000 Bernoulli draws, standard error below 0.0006.
        assertEquals(java.util.Arrays.stream(grey).average().orElseThrow(), ones / a.length, 0.003);
        Manifest.Binarization b = MANIFEST.binarization();
        for (Manifest.Saved s : b.splits().values()) {
            assertEquals(s.sha256(), Prepare.sha256(dir.resolve("data").resolve(s.file())), s.file());
        }
        // An independent port of genbench's generator (bench/torch_flows.py's fixed_binarization, numpy) draws
        // 2247615 ones in the whole test split.
        try (Dataset d = open(config(10, 10000, "fixed"), 1)) {
            double sum = 0;
            for (double v : d.split("test").x().toDoubleArray()) {
                sum += v;
            }
            assertEquals(2247615, sum);
        }
        // A damaged saved draw is drawn again, to the same bytes.
        Path train = dir.resolve("data").resolve(b.splits().get("train").file());
        Files.write(train, new byte[] {1, 2, 3});
        try (Dataset d = open(config(1000, 10, "fixed"), 9)) {
            assertArrayEquals(a, d.split("train").x().toDoubleArray());
        }
        assertEquals(b.splits().get("train").sha256(), Prepare.sha256(train));
    }

    @Test
    void aMissingPackageSaysHowToInstallIt() {
        FashionMnist.Config c = new FashionMnist.Config(10, 10, null, null, dir.resolve("data").toString(),
                dir.resolve("nowhere").toString(), null, null, null);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> open(c, 1).close());
        assertTrue(e.getMessage().contains("install it with: apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void aCorruptSourceFileIsNamedAndAStaleArrowFileIsRebuilt() throws IOException {
        Required.fashionMnist();
        Path source = Files.createDirectories(dir.resolve("source"));
        for (String f : MANIFEST.sourceSha256().keySet()) {
            Files.copy(SOURCE.resolve(f), source.resolve(f));
        }
        byte[] bytes = Files.readAllBytes(source.resolve("t10k-labels-idx1-ubyte.gz"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(source.resolve("t10k-labels-idx1-ubyte.gz"), bytes);
        FashionMnist.Config c = new FashionMnist.Config(10, 10, null, null, dir.resolve("data").toString(),
                source.toString(), null, null, null);
        IOException e = assertThrows(IOException.class, () -> open(c, 1).close());
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz is corrupt")
                && e.getMessage().contains("apt-get install --reinstall dataset-fashion-mnist"), e.getMessage());

        // A prepared file that no longer matches the manifest (a half-copied cache) is converted again.
        try (Dataset d = open(config(10, 10, "none"), 1)) {
            assertEquals(10, d.split("test").size());
        }
        Path test = dir.resolve("data/test.arrow");
        Files.write(test, new byte[] {1, 2, 3});
        try (Dataset d = open(config(10, 10, "none"), 1)) {
            assertEquals(10, d.split("test").size());
        }
        assertEquals(MANIFEST.splits().get("test").sha256(), Prepare.sha256(test));
    }

    @Test
    void badSettingsNameTheFieldAndRange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(0, null, null, null, null, null, null, null, null))
                .getMessage().contains("train must be in 1..60000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, 10001, null, null, null, null, null, null, null))
                .getMessage().contains("test must be in 1..10000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, "dither", null, null, null, null, null, null))
                .getMessage().contains("binarize must be one of"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, 0.0, null, null, null, null, null))
                .getMessage().contains("threshold must be in (0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, null, null, null, "16bit", null, null))
                .getMessage().contains("pixels must be one of [unit, 8bit]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, "fixed", null, null, null, "8bit", null, null))
                .getMessage().contains("binarize must be none when pixels is 8bit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, null, null, null, "8bit", 0.5, null))
                .getMessage().contains("logitAlpha must be in [0, 0.5)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, null, null, null, null, 0.05, null))
                .getMessage().contains("logitAlpha needs pixels 8bit"));
        assertEquals("dequantize needs binarized data (binarize threshold, stochastic or fixed), was binarize none",
                assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, null, null,
                        null, null, null, null, true)).getMessage());
    }

    @Test
    void binarizedImagesDeclaredAsTwoLevelsAreTheSameZerosAndOnesAsDiscreteData() throws IOException {
        Required.fashionMnist();
        FashionMnist.Config c = new FashionMnist.Config(20, 10, "threshold", null, dir.resolve("data").toString(), null,
                null, null, null, true);
        try (Dataset d = open(c, 1); Dataset binary = open(config(20, 10, "threshold"), 1)) {
            assertEquals(DataInfo.DISCRETE, d.info().kind());
            assertEquals(new org.genbench.api.Dequantization(2, 0), d.info().dequantization());
            assertEquals("fashion-mnist/threshold/2-levels", d.info().name());
            assertEquals(DataInfo.BINARY, binary.info().kind());
            assertArrayEquals(binary.split("train").x().toDoubleArray(), d.split("train").x().toDoubleArray());
        }
    }

    @Test
    void classWeightsKeepTheFirstExamplesOfEachClassInProportionAndLeaveTheTestSplit() throws IOException {
        java.util.List<Double> w = java.util.List.of(1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1);
        try (Dataset full = open(config(2000, 500, "none"), 1);
             Dataset skewed = open(new FashionMnist.Config(2000, 500, null, null, dir.resolve("data").toString(), null, null, null,
                     w), 1)) {
            int[] all = counts(full.split("train"));
            int[] kept = counts(skewed.split("train"));
            for (int c = 0; c < 10; c++) {
                assertEquals(c < 5 ? all[c] : Math.round(all[c] * 0.1), kept[c], "class " + c);
            }
            // the first examples of each class, in order: the skewed split's first class-5 image is the full one's
            assertEquals(firstOf(full.split("train"), 5), firstOf(skewed.split("train"), 5));
            assertArrayEquals(full.split("test").x().toDoubleArray(), skewed.split("test").x().toDoubleArray());
            assertNotEquals(full.info().checksum(), skewed.info().checksum());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, null,
                null, null, null, null, java.util.List.of(1.0, 0.5))).getMessage().contains("one weight per class (10), has 2"));
    }

    private static int[] counts(org.genbench.api.tensor.Batch b) {
        int[] n = new int[10];
        org.genbench.api.tensor.Tensor y = b.label().orElseThrow();
        for (int i = 0; i < y.size(); i++) {
            n[(int) y.getDouble(i)]++;
        }
        return n;
    }

    private static java.util.List<Double> firstOf(org.genbench.api.tensor.Batch b, int c) {
        org.genbench.api.tensor.Tensor y = b.label().orElseThrow();
        for (int i = 0; i < y.size(); i++) {
            if (y.getDouble(i) == c) {
                java.util.List<Double> px = new java.util.ArrayList<>();
                for (int p = 0; p < 784; p++) {
                    px.add(b.x().getDouble(i * 784L + p));
                }
                return px;
            }
        }
        throw new AssertionError("no example of class " + c);
    }
}
