package org.genbench.eval.fid.internal;

import org.genbench.api.InMemoryDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.Required;
import org.genbench.testing.TestRunContext;
import org.genbench.vision.Dl4jFeatureNetwork;
import org.genbench.vision.FashionMnistClassifier;
import org.genbench.vision.FashionMnistIdx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FID's properties with a Fashion-MNIST classifier as the feature network: a sample set against itself scores ~0,
 * and Gaussian noise of increasing strength raises FID monotonically. The classifier here follows the default
 * recipe on a fifth of the training set for one epoch, to keep the test fast; the properties do not depend on how
 * good it is. The tests that need Debian's dataset-fashion-mnist say so first ({@link Required}: skipped without it,
 * failed under CI); the configuration tests need nothing.
 */
class FidEvaluatorTest {
    static final Path DATA = Path.of(FashionMnistIdx.DEFAULT_DIR);
    static final Path CACHE = Path.of("target", "fid-test-cache");
    static final FashionMnistClassifier.Recipe SMALL = new FashionMnistClassifier.Recipe(8_000, 1, 100, 11);
    private static Dl4jFeatureNetwork network;
    private static FashionMnistIdx.Split test;

    private BufferAllocator allocator;

    /** The small classifier, trained on first use; needs Fashion-MNIST. */
    static synchronized Dl4jFeatureNetwork network() throws IOException {
        if (network == null) {
            Required.fashionMnist();
            network = FashionMnistClassifier.loadOrTrain(SMALL, CACHE, DATA);
            test = FashionMnistIdx.read(DATA, "t10k");
        }
        return network;
    }

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** Test images {@code [from, from + n)} as uint8 {@code [n, 1, 28, 28]}, as data.image serves them. */
    private Tensor images(int from, int n) {
        Tensor t = Tensor.allocate(allocator, DType.UINT8, n, 1, 28, 28);
        t.buffer().setBytes(0, test.pixels(), from * FashionMnistIdx.PIXELS, (long) n * FashionMnistIdx.PIXELS);
        return t;
    }

    /** Images {@code [from, from + n)} in [0, 1] plus N(0, sigma^2) noise per pixel, clipped to [0, 1], float32. */
    private Tensor noisy(int from, int n, double sigma, Rng rng) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 28, 28);
        for (long i = 0; i < t.size(); i++) {
            double v = (test.pixels()[(int) (from * (long) FashionMnistIdx.PIXELS + i)] & 0xff) / 255.0
                    + sigma * rng.nextGaussian();
            t.setDouble(i, Math.min(1, Math.max(0, v)));
        }
        return t;
    }

    private FidEvaluator evaluator() throws IOException {
        FidEvaluator fid = new FidEvaluator();
        fid.addNetwork(network());
        return fid;
    }

    private FidEvaluator.Config config(int samples) {
        return new FidEvaluator.Config(FashionMnistClassifier.NAME, samples, null, null, CACHE.toString(), null);
    }

    @Test
    void theSmallClassifierLearnedSomethingAndItsRecordMatchesItsWeights() throws IOException {
        network();
        var record = FashionMnistClassifier.record(CACHE, SMALL);
        assertTrue(record.path("testAccuracy").asDouble() > 0.7, "test accuracy " + record.path("testAccuracy"));
        assertEquals(network.sha256(), record.path("sha256").asText());
        assertEquals(64, network.sha256().length());
        assertEquals(test.imagesSha256(), record.path("data").path("testImagesSha256").asText());
    }

    @Test
    void aSampleSetAgainstItselfScoresZero() throws IOException {
        network();
        try (InMemoryDataset data = TestImages.of(images(0, 2000));
             SampleResult same = new SampleResult(data.split("test").x().retain(), 1, List.of())) {
            List<Metric> m = evaluator().evaluate(null, data, Map.of("copy", same), config(2000),
                    new TestRunContext(1, allocator));
            assertEquals(1, m.size());
            // Identical features give identical statistics; what remains is rounding in 2 tr(S) - 2 tr(sqrtm(S S)),
            // measured -4.5e-9 (FIDs of these images with noise added run from 0.3 to 27).
            assertEquals(0.0, m.get(0).value(), 1e-6);
        }
    }

    @Test
    void fidRisesMonotonicallyWithGaussianNoise() throws IOException {
        network();
        double[] sigmas = {0.0, 0.02, 0.05, 0.1, 0.2, 0.4};
        Map<String, SampleResult> samples = new LinkedHashMap<>();
        try (InMemoryDataset data = TestImages.of(images(0, 2000))) {
            for (double s : sigmas) {
                samples.put("noise-" + s, new SampleResult(noisy(2000, 2000, s, new Rng(5).split(Double.toString(s))), 1,
                        List.of()));
            }
            List<Metric> m = evaluator().evaluate(null, data, samples, config(2000), new TestRunContext(2, allocator));
            List<Double> fids = new ArrayList<>();
            m.forEach(x -> fids.add(x.value()));
            for (int i = 1; i < fids.size(); i++) {
                assertTrue(fids.get(i) > fids.get(i - 1), "FID by noise level " + List.of(sigmas) + ": " + fids);
            }
            // Other images of the same distribution: small next to what heavy noise does.
            assertTrue(fids.get(fids.size() - 1) > 10 * fids.get(0), fids.toString());
        } finally {
            samples.values().forEach(SampleResult::close);
        }
    }

    @Test
    void everyFidCarriesItsProtocol() throws IOException {
        network();
        try (InMemoryDataset data = TestImages.of(images(0, 600));
             SampleResult gen = new SampleResult(noisy(600, 900, 0.1, new Rng(3)), 3, List.of())) {
            Metric m = evaluator().evaluate(null, data, Map.of("vae", gen), config(500), new TestRunContext(4, allocator))
                    .get(0);
            assertEquals("vae/fid", m.name());
            assertEquals("fid", m.kind());
            Map<String, Object> p = m.protocol();
            assertEquals(FashionMnistClassifier.NAME, p.get("feature_network"));
            assertEquals(network.sha256(), p.get("feature_network_sha256"));
            assertEquals(128, p.get("feature_dimension"));
            assertEquals(500L, p.get("n_real"));
            assertEquals(500L, p.get("n_generated"));
            assertEquals("test", p.get("real_split"));
            assertTrue(((String) p.get("preprocessing")).contains("divided by 255"), p.toString());
            assertTrue(((String) p.get("generated_selection")).startsWith("evenly spaced"), p.toString());
            assertEquals(false, p.get("eps_offset_applied"));
        }
    }

    @Test
    void uint8AndScaledFloatImagesGiveTheSameFeatures() throws IOException {
        network();
        try (Tensor bytes = images(0, 50); Tensor floats = noisy(0, 50, 0.0, new Rng(1));
             Tensor a = network.features(bytes); Tensor b = network.features(floats)) {
            double[] x = a.toDoubleArray();
            double[] y = b.toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-5 * (1 + Math.abs(x[i])));
            }
        }
    }

    @Test
    void trainingIsReproducible() throws IOException {
        Required.fashionMnist();
        FashionMnistClassifier.Recipe tiny = new FashionMnistClassifier.Recipe(1500, 1, 100, 99);
        Path a = Files.createTempDirectory("fid-a");
        Path b = Files.createTempDirectory("fid-b");
        assertEquals(FashionMnistClassifier.loadOrTrain(tiny, a, DATA).sha256(),
                FashionMnistClassifier.loadOrTrain(tiny, b, DATA).sha256(), "same recipe, same weights");
    }

    @Test
    void unknownNetworksAndMismatchedShapesFailWithNames() throws IOException {
        FidEvaluator fid = evaluator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fid.network(new FidEvaluator.Config("inception-v3", null, null, null, CACHE.toString(), null)));
        assertTrue(e.getMessage().contains("available: [fashion-mnist-mlp"), e.getMessage());
        try (InMemoryDataset data = TestImages.of(images(0, 10));
             SampleResult wrong = new SampleResult(Tensor.allocate(allocator, DType.FLOAT32, 10, 3), 1, List.of())) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> fid.evaluate(null, data,
                    Map.of("toy", wrong), config(10), new TestRunContext(6, allocator)));
            assertTrue(shape.getMessage().contains("'toy'"), shape.getMessage());
        }
    }

    @Test
    void configDefaultsAndValidation() {
        FidEvaluator.Config c = new FidEvaluator.Config(null, null, null, null, null, null);
        assertEquals("fashion-mnist-mlp", c.network());
        assertEquals(10_000, c.samples());
        assertEquals("test", c.split());
        assertEquals("samples must be in 2..1000000, was 1", assertThrows(IllegalArgumentException.class,
                () -> new FidEvaluator.Config(null, 1, null, null, null, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FidEvaluator.Config("net.keras", null, null, null,
                null, null)).getMessage().contains("Keras"));
        assertEquals("layer must be >= 0, was -1", assertThrows(IllegalArgumentException.class,
                () -> new FidEvaluator.Config(null, null, null, -1, null, null)).getMessage());
    }
}
