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
        return new FashionMnist.Config(train, test, binarize, null, dir.resolve("data").toString(), null);
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
    void aMissingPackageSaysHowToInstallIt() {
        FashionMnist.Config c = new FashionMnist.Config(10, 10, null, null, dir.resolve("data").toString(),
                dir.resolve("nowhere").toString());
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
                source.toString());
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
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(0, null, null, null, null, null))
                .getMessage().contains("train must be in 1..60000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, 10001, null, null, null, null))
                .getMessage().contains("test must be in 1..10000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, "dither", null, null, null))
                .getMessage().contains("binarize must be one of"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FashionMnist.Config(null, null, null, 0.0, null, null))
                .getMessage().contains("threshold must be in (0, 1]"));
    }
}
