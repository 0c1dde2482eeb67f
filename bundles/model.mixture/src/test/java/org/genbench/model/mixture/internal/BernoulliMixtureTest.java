package org.genbench.model.mixture.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.coding.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BernoulliMixtureTest {
    private static JsonNode ref;
    private BufferAllocator allocator;
    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = BernoulliMixtureTest.class.getResourceAsStream("/bernoulli_mixture_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
    }

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static final DataInfo INFO = new DataInfo("bits", new long[] {4, 5}, DataInfo.BINARY, 0, "x");

    private Tensor data() {
        JsonNode x = ref.path("x");
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, x.size() / 20, 4, 5);
        for (int i = 0; i < x.size(); i++) {
            t.setDouble(i, x.get(i).asDouble());
        }
        return t;
    }

    private static double[] flat(JsonNode a) {
        return java.util.stream.StreamSupport.stream(a.spliterator(), false)
                .flatMapToDouble(v -> v.isArray() ? java.util.Arrays.stream(flat(v)) : java.util.stream.DoubleStream.of(v.asDouble()))
                .toArray();
    }

    private BernoulliMixtureModel fromReferenceInit() {
        BernoulliMixtureModel m = (BernoulliMixtureModel) new BernoulliMixtureFamily().create(
                new BernoulliMixtureFamily.Config(3, 1.0), INFO, new Rng(1));
        try (Tensor x = data()) {
            m.initialize(x, new Rng(1)); // then replaced by the reference's starting point
        }
        m.restore(new BernoulliMixtureModel.Parameters(flat(ref.path("init").path("pi")), flat(ref.path("init").path("mu"))));
        return m;
    }

    /** EM from the same start follows numpy's EM (datasets/reference/bernoulli_mixture.py) step by step. */
    @Test
    void emMatchesTheNumpyReference() {
        BernoulliMixtureModel m = fromReferenceInit();
        try (Tensor x = data()) {
            JsonNode ll = ref.path("logliks");
            for (int i = 0; i < ll.size(); i++) {
                assertEquals(ll.get(i).asDouble(), m.emStep(x), 1e-10, "mean log-likelihood before M step " + i);
            }
            assertArrayEquals(flat(ref.path("pi")), m.weights(), 1e-10);
            assertArrayEquals(flat(ref.path("mu")), m.means(), 1e-10);
            try (Tensor head = x.slice(0, 5); Tensor lp = m.logDensity(head)) {
                assertArrayEquals(flat(ref.path("logDensity")), lp.toDoubleArray(), 1e-10);
            }
        }
    }

    /**
     * The chain rule: the raster-order conditionals of the values an image has sum to its log-density; the decoder's
     * step-by-step numbers are the teacher-forced ones bit for bit; the coder round-trips the data through them.
     */
    @Test
    void conditionalsMultiplyToTheDensityAndTheDecoderReproducesThemExactly() {
        BernoulliMixtureModel m = fromReferenceInit();
        try (Tensor x = data()) {
            for (int i = 0; i < 5; i++) {
                m.emStep(x);
            }
            int n = 40;
            try (Tensor head = x.slice(0, n); Tensor lp = m.conditionalLogProbabilities(head);
                 Tensor density = m.logDensity(head)) {
                for (int e = 0; e < n; e++) {
                    double sum = 0;
                    for (int t = 0; t < 20; t++) {
                        int v = (int) head.getDouble(e * 20L + t);
                        sum += lp.getDouble((e * 20L + t) * 2 + v);
                        assertEquals(1.0, Math.exp(lp.getDouble((e * 20L + t) * 2)) + Math.exp(lp.getDouble((e * 20L + t) * 2 + 1)),
                                1e-12);
                    }
                    assertEquals(density.getDouble(e), sum, 1e-9, "example " + e);
                }
                try (DiscreteConditionals.Decoder dec = m.decoder(n, new long[] {4, 5}, allocator)) {
                    for (int t = 0; t < 20; t++) {
                        double[] step = dec.next();
                        int[] values = new int[n];
                        for (int e = 0; e < n; e++) {
                            assertEquals(lp.getDouble((e * 20L + t) * 2), step[2 * e], 0.0, "bitwise, step " + t);
                            assertEquals(lp.getDouble((e * 20L + t) * 2 + 1), step[2 * e + 1], 0.0, "bitwise, step " + t);
                            values[e] = (int) head.getDouble(e * 20L + t);
                        }
                        dec.set(values);
                    }
                }
                Codec.Encoded enc = Codec.encode(m, head, 16);
                try (Tensor back = Codec.decode(m, enc.stream(), n, new long[] {4, 5}, 16, allocator)) {
                    assertArrayEquals(head.toDoubleArray(), back.toDoubleArray());
                }
                double nats = 0;
                for (int e = 0; e < n; e++) {
                    nats -= density.getDouble(e);
                }
                assertEquals(nats / Math.log(2), enc.modelBits(), 1e-6);
            }
        }
    }

    @Test
    void assignmentsArePosteriorsAndSamplesFollowTheMixture() {
        BernoulliMixtureModel m = fromReferenceInit();
        try (Tensor x = data()) {
            for (int i = 0; i < 10; i++) {
                m.emStep(x);
            }
            try (Tensor r = m.assignments(x)) {
                for (int i = 0; i < r.rows(); i++) {
                    assertEquals(1.0, r.get(i, 0) + r.get(i, 1) + r.get(i, 2), 1e-12);
                }
            }
            double[] pi = m.weights();
            double[] mu = m.means();
            try (Tensor s = m.sample(20_000, new Rng(5), allocator)) {
                assertArrayEquals(new long[] {20_000, 4, 5}, s.shape());
                for (int t = 0; t < 20; t++) {
                    double expected = pi[0] * mu[t] + pi[1] * mu[20 + t] + pi[2] * mu[40 + t];
                    double mean = 0;
                    for (int i = 0; i < 20_000; i++) {
                        mean += s.getDouble(i * 20L + t) / 20_000;
                    }
                    assertEquals(expected, mean, 0.015, "pixel " + t);
                }
            }
        }
    }

    @Test
    void aSavedModelLoadsToTheSameNumbersAndAnotherConfigurationIsRefused() throws IOException {
        BernoulliMixtureModel m = fromReferenceInit();
        try (Tensor x = data()) {
            m.emStep(x);
            m.save(dir);
            BernoulliMixtureModel back = (BernoulliMixtureModel) new BernoulliMixtureFamily().create(
                    new BernoulliMixtureFamily.Config(3, 1.0), INFO, new Rng(9));
            back.load(dir);
            try (Tensor a = m.logDensity(x); Tensor b = back.logDensity(x)) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
            }
            BernoulliMixtureModel other = (BernoulliMixtureModel) new BernoulliMixtureFamily().create(
                    new BernoulliMixtureFamily.Config(4, 1.0), INFO, new Rng(9));
            IOException e = assertThrows(IOException.class, () -> other.load(dir));
            assertTrue(e.getMessage().contains("of another model: config"), e.getMessage());
        }
    }

    @Test
    void continuousDataAndBadSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BernoulliMixtureFamily()
                .create(new BernoulliMixtureFamily.Config(null, null),
                        new DataInfo("fashion-mnist", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 10, "x"), new Rng(1)));
        assertTrue(e.getMessage().contains("models binary data") && e.getMessage().contains("binarize"), e.getMessage());
        assertEquals("components must be in 1..1000, was 0", assertThrows(IllegalArgumentException.class,
                () -> new BernoulliMixtureFamily.Config(0, null)).getMessage());
        assertEquals("smoothing must be finite and > 0, was 0.0", assertThrows(IllegalArgumentException.class,
                () -> new BernoulliMixtureFamily.Config(null, 0.0)).getMessage());
    }
}
