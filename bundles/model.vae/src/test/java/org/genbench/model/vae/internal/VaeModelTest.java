package org.genbench.model.vae.internal;

import org.genbench.api.AdamSettings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.check.GradCheck;

class VaeModelTest {
    static final GradientTrainable.Step ADAM = new GradientTrainable.Step(new AdamSettings(3e-3, 0.9, 0.999, 1e-8), 1.0);
    static final DataInfo BINARY = new DataInfo("prototypes", new long[] {1, 8, 8}, DataInfo.BINARY, 4, null);

    BufferAllocator allocator;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    static VaeFamily.Config config(int hidden, int latent, String likelihood, int k) {
        return new VaeFamily.Config(null, hidden, latent, likelihood, null, k, null);
    }

    /** Four random 8x8 bit patterns; each example is one of them (its label) with 5% of the bits flipped. */
    Batch prototypes(int n, Rng rng) {
        Rng protos = new Rng(99);
        float[][] p = new float[4][64];
        for (float[] row : p) {
            for (int j = 0; j < 64; j++) {
                row[j] = protos.nextDouble() < 0.5 ? 1 : 0;
            }
        }
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 8, 8);
        Tensor y = Tensor.allocate(allocator, DType.INT32, n);
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(4);
            y.setDouble(i, c);
            for (int j = 0; j < 64; j++) {
                x.setDouble(i * 64L + j, rng.nextDouble() < 0.05 ? 1 - p[c][j] : p[c][j]);
            }
        }
        return Batch.of(x, y);
    }

    static double mean(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.size(); i++) {
            s += t.getDouble(i);
        }
        return s / t.size();
    }

    /** Mean log-likelihood of x under independent per-pixel Bernoullis fitted to train (the usual baseline). */
    static double independentBernoulli(Tensor train, Tensor test) {
        int d = (int) train.rowSize();
        double[] p = new double[d];
        for (long i = 0; i < train.size(); i++) {
            p[(int) (i % d)] += train.getDouble(i);
        }
        double total = 0;
        for (int j = 0; j < d; j++) {
            p[j] = Math.min(1 - 1e-3, Math.max(1e-3, p[j] / train.rows()));
        }
        for (long i = 0; i < test.size(); i++) {
            double q = p[(int) (i % d)];
            total += test.getDouble(i) > 0.5 ? Math.log(q) : Math.log(1 - q);
        }
        return total / test.rows();
    }

    /** The whole objective's gradient in every parameter, float64 finite differences, every variant. */
    @Test
    void theObjectivesGradientsMatchFiniteDifferences() {
        for (String architecture : new String[] {"mlp", "conv"}) {
            for (String likelihood : new String[] {"bernoulli", "gaussian"}) {
                for (int classes : new int[] {0, 3}) {
                    checkGradients(architecture, likelihood, classes);
                }
            }
        }
    }

    private void checkGradients(String architecture, String likelihood, int classes) {
        DataInfo info = new DataInfo("tiny", new long[] {1, 4, 4}, DataInfo.BINARY, 3, null);
        VaeFamily.Config c = new VaeFamily.Config(architecture, 5, 2, likelihood, null, 1, null);
        VaeModel m = new VaeModel("t", VaeModel.Settings.of(c), info, classes, new Rng(3), org.genbench.nn.DType.F64);
        Rng rng = new Rng(4);
        double[] bits = new double[3 * 16];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = rng.nextDouble() < 0.4 ? 1 : 0;
        }
        NdArray x = NdArray.wrap(bits, 3, 16);
        NdArray y = classes == 0 ? null : F.oneHot(new int[] {0, 2, 1}, classes, org.genbench.nn.DType.F64);
        NdArray eps = NdArray.wrap(NdArray.randn(rng, org.genbench.nn.DType.F64, 1, 3, 2).toDoubleArray(), 3, 2);
        List<GradCheck.Result> r = GradCheck.check(m.net.parameters(), List.of(), in -> m.objective(x, y, eps, 0.7),
                3, 1e-5, 5);
        GradCheck.assertClose(r, 1e-6);
    }

    @Test
    void learnsClusteredBinaryDataFarBeyondIndependentPixels() {
        Rng rng = new Rng(1);
        try (Batch train = prototypes(1000, rng.split("train")); Batch test = prototypes(500, rng.split("test"))) {
            VaeModel m = (VaeModel) new VaeFamily().create(config(64, 4, "bernoulli", 1), BINARY, new Rng(2));
            double before;
            try (Tensor b = m.logDensityBound(test.x(), new Rng(5))) {
                before = mean(b);
            }
            for (int step = 0; step < 600; step++) {
                int start = (step * 50) % 1000;
                try (Tensor x = train.x().slice(start, 50); Tensor y = train.label().orElseThrow().slice(start, 50)) {
                    Map<String, Double> out = m.trainStep(Batch.of(x, y), ADAM, rng.split(step));
                    assertTrue(Double.isFinite(out.get("loss")));
                }
            }
            assertEquals(600, m.stepsTaken());
            double after;
            try (Tensor b = m.logDensityBound(test.x(), new Rng(5))) {
                after = mean(b);
            }
            double baseline = independentBernoulli(train.x(), test.x());
            // The data's own entropy: 64 bits each flipped w.p. 0.05 gives 64 * H(0.05) = 12.7 nats, plus log 4
            // for the pattern: the best bound is about -14.1. Independent pixels cannot represent the four patterns.
            assertTrue(before < -43, "untrained ELBO " + before);
            assertTrue(baseline < -35, "independent Bernoulli baseline " + baseline);
            assertTrue(after > -20 && after < -14.0, "trained ELBO " + after);

            VaeModel iw = (VaeModel) new VaeFamily().create(config(64, 4, "bernoulli", 64), BINARY, new Rng(2));
            assertEquals("iwae-k64", iw.boundName());
            iw.net.load(m.net.state());
            try (Tensor b = iw.logDensityBound(test.x(), new Rng(6))) {
                double iwae = mean(b);
                // IWAE-k is at least the ELBO in expectation and at most log p(x) <= -14.1 on this data.
                assertTrue(iwae > after && iwae < -14.0, "iwae " + iwae + " vs elbo " + after);
            }
        }
    }

    @Test
    void theConvolutionalVaeLearnsTheSameData() {
        Rng rng = new Rng(41);
        try (Batch train = prototypes(1000, rng.split("train")); Batch test = prototypes(300, rng.split("test"))) {
            VaeModel m = (VaeModel) new VaeFamily().create(new VaeFamily.Config("conv", null, 4, "bernoulli", null, 1, null),
                    BINARY, new Rng(2));
            double before;
            try (Tensor b = m.logDensityBound(test.x(), new Rng(5))) {
                before = mean(b);
            }
            for (int step = 0; step < 300; step++) {
                int start = (step * 50) % 1000;
                try (Tensor x = train.x().slice(start, 50)) {
                    m.trainStep(Batch.of(x), ADAM, rng.split(step));
                }
            }
            try (Tensor b = m.logDensityBound(test.x(), new Rng(5))) {
                double after = mean(b);
                // As for the MLP: the best bound is about -14.1, independent pixels stay below -35.
                assertTrue(before < -40 && after > -22 && after < -14.0, "conv ELBO " + before + " -> " + after);
            }
        }
    }

    @Test
    void aCheckpointRoundTripsBitForBitAndTrainingContinuesIdentically() throws IOException {
        Rng rng = new Rng(11);
        try (Batch data = prototypes(200, rng)) {
            for (boolean conditional : new boolean[] {false, true}) {
              for (String architecture : new String[] {"mlp", "conv"}) {
                VaeFamily.Config c = new VaeFamily.Config(architecture, 32, 3, "bernoulli", null, 1, null);
                VaeModel a = (VaeModel) (conditional ? new ConditionalVaeFamily() : new VaeFamily()).create(c, BINARY, new Rng(1));
                for (int s = 0; s < 5; s++) {
                    a.trainStep(data, ADAM, new Rng(100 + s));
                }
                Path d = Files.createDirectories(dir.resolve("ckpt-" + conditional + "-" + architecture));
                a.save(d);
                VaeModel b = (VaeModel) (conditional ? new ConditionalVaeFamily() : new VaeFamily()).create(c, BINARY, new Rng(999));
                b.load(d);
                assertEquals(5, b.stepsTaken());
                a.net.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.net.state().get(k).toFloatArray(), 0f, k));
                for (int s = 5; s < 8; s++) {
                    assertEquals(a.trainStep(data, ADAM, new Rng(100 + s)), b.trainStep(data, ADAM, new Rng(100 + s)),
                            "step " + s + " after the reload");
                }
                a.net.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.net.state().get(k).toFloatArray(), 0f, k));
              }
            }
        }
    }

    @Test
    void aCheckpointOfAnotherConfigurationOrAMissingFileFailsLoudly() throws IOException {
        VaeModel a = (VaeModel) new VaeFamily().create(config(32, 3, "bernoulli", 1), BINARY, new Rng(1));
        a.save(dir);
        VaeModel wider = (VaeModel) new VaeFamily().create(config(33, 3, "bernoulli", 1), BINARY, new Rng(1));
        IOException e = assertThrows(IOException.class, () -> wider.load(dir));
        assertTrue(e.getMessage().contains("config is {\"architecture\":\"mlp\",\"hidden\":32"), e.getMessage());
        Files.delete(dir.resolve(org.genbench.nn.optim.TrainingState.FILE));
        e = assertThrows(IOException.class, () -> a.load(dir));
        assertTrue(e.getMessage().contains("incomplete VAE checkpoint"), e.getMessage());
    }

    @Test
    void theConditionalModelDrawsTheRequestedClassAndItsBoundCoversTheClassPrior() {
        Rng rng = new Rng(21);
        try (Batch train = prototypes(1000, rng.split("train")); Batch test = prototypes(200, rng.split("test"))) {
            ConditionalVaeModel m = (ConditionalVaeModel) new ConditionalVaeFamily()
                    .create(config(64, 2, "bernoulli", 1), BINARY, new Rng(2));
            for (int step = 0; step < 400; step++) {
                int start = (step * 50) % 1000;
                try (Tensor x = train.x().slice(start, 50); Tensor y = train.label().orElseThrow().slice(start, 50)) {
                    m.trainStep(Batch.of(x, y), ADAM, rng.split(step));
                }
            }
            // Sample 40 per class and check each sample's nearest prototype (the class mean of the data) is its class.
            double[][] classMean = new double[4][64];
            int[] count = new int[4];
            for (int i = 0; i < 1000; i++) {
                int c = (int) train.label().orElseThrow().getDouble(i);
                count[c]++;
                for (int j = 0; j < 64; j++) {
                    classMean[c][j] += train.x().getDouble(i * 64L + j);
                }
            }
            try (Tensor labels = Tensor.allocate(allocator, DType.INT32, 160)) {
                for (int i = 0; i < 160; i++) {
                    labels.setDouble(i, i / 40);
                }
                try (Tensor s = m.sample(labels, new Rng(3), allocator)) {
                    assertArrayEquals(new long[] {160, 1, 8, 8}, s.shape());
                    int right = 0;
                    for (int i = 0; i < 160; i++) {
                        int best = -1;
                        double bestDist = Double.POSITIVE_INFINITY;
                        for (int c = 0; c < 4; c++) {
                            double dist = 0;
                            for (int j = 0; j < 64; j++) {
                                double diff = s.getDouble(i * 64L + j) - classMean[c][j] / count[c];
                                dist += diff * diff;
                            }
                            if (dist < bestDist) {
                                bestDist = dist;
                                best = c;
                            }
                        }
                        right += best == i / 40 ? 1 : 0;
                    }
                    // A few draws from the prior's tails decode to in-between images; the rest must follow the label.
                    assertTrue(right >= 150, right + " of 160 samples are nearest the requested class's mean");
                }
            }
            assertEquals("elbo-class-latent", m.boundName());
            try (Tensor marginal = m.logDensityBound(test.x(), new Rng(4));
                 Tensor given = m.conditionalBound(test.x(), test.label().orElseThrow(), new Rng(4))) {
                // log p(x) = log sum_c p(c) p(x|c) >= log p(c_true) + log p(x|c_true); with well-separated classes
                // q(c|x) puts almost all its mass on the true class, so the class-latent bound sits about log 4 below
                // the conditional one (and never above it by more than noise).
                assertEquals(mean(given) - Math.log(4), mean(marginal), 0.3);
            }
        }
    }

    @Test
    void refusesBernoulliOnContinuousDataAndBadSettingsByName() {
        DataInfo grey = new DataInfo("grey", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 10, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VaeFamily().create(VaeFamily.Config.defaults(), grey, new Rng(1)));
        assertTrue(e.getMessage().contains("likelihood 'bernoulli' models binary data"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config(0, 2, null, 1)).getMessage()
                .contains("hidden must be in 1..8192"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config(8, 2, "poisson", 1)).getMessage()
                .contains("likelihood must be one of"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VaeFamily.Config("resnet", null, null, null, null, null, null))
                .getMessage().contains("architecture must be 'mlp' or 'conv'"));
        DataInfo odd = new DataInfo("odd", new long[] {1, 6, 6}, DataInfo.BINARY, 0, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VaeFamily().create(
                new VaeFamily.Config("conv", null, null, null, null, null, null), odd, new Rng(1))).getMessage()
                .contains("multiples of 4"));
        DataInfo unlabelled = new DataInfo("u", new long[] {4}, DataInfo.BINARY, 0, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ConditionalVaeFamily()
                .create(VaeFamily.Config.defaults(), unlabelled, new Rng(1))).getMessage().contains("at least 2 classes"));
    }

    @Test
    void gaussianLikelihoodLearnsGreyImagesAndSamplesInTheUnitInterval() {
        DataInfo info = new DataInfo("grey", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 4, null);
        Rng rng = new Rng(31);
        try (Batch train = prototypes(500, rng)) {
            VaeModel m = (VaeModel) new VaeFamily().create(new VaeFamily.Config(null, 32, 2, "gaussian", 0.2, 1, null),
                    info, new Rng(1));
            double first;
            try (Tensor x = train.x().slice(0, 100)) {
                first = m.trainStep(Batch.of(x), ADAM, new Rng(0)).get("elbo");
            }
            double last = first;
            for (int s = 1; s < 200; s++) {
                try (Tensor x = train.x().slice((s % 5) * 100, 100)) {
                    last = m.trainStep(Batch.of(x), ADAM, new Rng(s)).get("elbo");
                }
            }
            assertTrue(last > first + 50, "gaussian ELBO " + first + " -> " + last);
            try (Tensor s = m.sample(20, new Rng(2), allocator)) {
                assertEquals(DType.FLOAT32, s.dtype());
                for (double v : s.toDoubleArray()) {
                    assertTrue(v >= 0 && v <= 1, "mean of p(x|z) lies in [0, 1]: " + v);
                }
            }
            try (Tensor z = m.encode(train.x(), null); Tensor back = m.decode(z, null)) {
                assertArrayEquals(new long[] {500, 2}, z.shape());
                assertArrayEquals(new long[] {500, 1, 8, 8}, back.shape());
            }
        }
    }

    /** The posterior mean is the encoder's output on its hidden layer: recomputed from enc_out's weights, they agree. */
    @Test
    void representationsAreThePosteriorMeanAndTheHiddenLayerItIsComputedFrom() {
        DataInfo unlabelled = new DataInfo("prototypes", new long[] {1, 8, 8}, DataInfo.BINARY, 0, null);
        VaeModel vae = (VaeModel) new VaeFamily().create(config(12, 3, null, 1), unlabelled, new Rng(4));
        assertEquals(Map.of("latent-mean", 3, "encoder-hidden", 12), vae.representations());
        try (Batch b = prototypes(5, new Rng(1));
             Tensor mean = vae.represent("latent-mean", b.x());
             Tensor hidden = vae.represent("encoder-hidden", b.x());
             Tensor encoded = vae.encode(b.x(), null)) {
            assertArrayEquals(encoded.toDoubleArray(), mean.toDoubleArray());
            assertArrayEquals(new long[] {5, 12}, hidden.shape());
            NdArray w = vae.net.state().get("enc_out.weight");
            NdArray bias = vae.net.state().get("enc_out.bias");
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 3; k++) {
                    double z = bias.getFlat(k);
                    for (int j = 0; j < 12; j++) {
                        assertTrue(hidden.get(i, j) >= 0, "ReLU output");
                        z += w.get(k, j) * hidden.get(i, j);
                    }
                    assertEquals(z, mean.get(i, k), 1e-5, "example " + i + ", code " + k);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vae.represent("z", b.x()));
            assertTrue(e.getMessage().contains("available: [latent-mean, encoder-hidden]"), e.getMessage());
        }
        VaeModel cvae = (VaeModel) new ConditionalVaeFamily().create(config(12, 3, null, 1), BINARY, new Rng(4));
        assertTrue(cvae.representations().isEmpty(), "a conditional VAE's codes need the label");
    }
}
