package org.genbench.model.gan.internal;

import org.genbench.api.AdamSettings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.AdversarialTrainable;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.io.TempDir;

class GanModelTest {
    static final DataInfo IMAGES = new DataInfo("tiny-images", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 3, null);
    static final DataInfo POINTS = new DataInfo("points", new long[] {2}, DataInfo.CONTINUOUS, 0, null);
    static final AdamSettings ADAM = new AdamSettings(1e-3, 0.5, 0.999, 1e-8);

    BufferAllocator allocator;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static GanFamily.Config dcgan(boolean conditional) {
        return new GanFamily.Config("dcgan", 6, null, null, 4, 4, conditional, null, null);
    }

    @Test
    void configFillsDefaultsPerArchitectureAndNamesBadFields() {
        GanFamily.Config mlp = GanFamily.Config.defaults();
        assertEquals("mlp", mlp.arch());
        assertEquals(8, mlp.latentDim());
        assertEquals("linear", mlp.output());
        GanFamily.Config dc = new GanFamily.Config("dcgan", null, null, null, null, null, null, null, null);
        assertEquals(64, dc.latentDim());
        assertEquals("unit", dc.output());
        assertFalse(dc.conditional());
        String arch = assertThrows(IllegalArgumentException.class,
                () -> new GanFamily.Config("resnet", null, null, null, null, null, null, null, null)).getMessage();
        assertTrue(arch.contains("arch") && arch.contains("dcgan"), arch);
        String leak = assertThrows(IllegalArgumentException.class,
                () -> new GanFamily.Config(null, null, null, null, null, null, null, null, 1.5)).getMessage();
        assertTrue(leak.contains("leak") && leak.contains("[0, 1)"), leak);
        String latent = assertThrows(IllegalArgumentException.class,
                () -> new GanFamily.Config(null, 0, null, null, null, null, null, null, null)).getMessage();
        assertTrue(latent.contains("latentDim") && latent.contains("between 1 and 4096"), latent);
    }

    @Test
    void familyRefusesDataItCannotModel() {
        GanFamily family = new GanFamily();
        String images = assertThrows(IllegalArgumentException.class,
                () -> family.create(GanFamily.Config.defaults(), IMAGES, new Rng(1))).getMessage();
        assertTrue(images.contains("dcgan"), images);
        String vectors = assertThrows(IllegalArgumentException.class,
                () -> family.create(dcgan(false), POINTS, new Rng(1))).getMessage();
        assertTrue(vectors.contains("divisible by 4"), vectors);
        String labels = assertThrows(IllegalArgumentException.class, () -> family.create(
                new GanFamily.Config(null, null, null, null, null, null, true, null, null), POINTS, new Rng(1))).getMessage();
        assertTrue(labels.contains("labelled"), labels);
        Model unconditional = family.create(dcgan(false), IMAGES, new Rng(1));
        assertTrue(unconditional.as(Conditional.class).isEmpty(), "only a conditional config gives Conditional");
        assertTrue(family.create(dcgan(true), IMAGES, new Rng(1)).as(Conditional.class).isPresent());
    }

    @Test
    void conditionalSamplesHaveTheDataShapeAndUnitRange() {
        Conditional gan = (Conditional) new GanFamily().create(dcgan(true), IMAGES, new Rng(3));
        assertEquals(3, gan.numClasses());
        try (Tensor labels = ints(new int[] {0, 1, 2, 2, 1});
             Tensor x = gan.sample(labels, new Rng(4), allocator)) {
            assertArrayEquals(new long[] {5, 1, 8, 8}, x.shape());
            assertEquals(DType.FLOAT32, x.dtype());
            double[] v = x.toDoubleArray();
            for (double value : v) {
                assertTrue(value >= 0 && value <= 1, "unit output range, got " + value);
            }
        }
        try (Tensor bad = ints(new int[] {0, 3})) {
            String m = assertThrows(IllegalArgumentException.class, () -> gan.sample(bad, new Rng(4), allocator)).getMessage();
            assertTrue(m.contains("label 3.0") && m.contains("[0, 3)"), m);
        }
    }

    @Test
    void saveAndLoadRestoreWeightsAndOptimizerStateBitForBit() throws IOException {
        GanFamily family = new GanFamily();
        GanModel trained = (GanModel) family.create(dcgan(true), IMAGES, new Rng(5));
        try (Tensor real = images(16, new Rng(6)); Tensor labels = ints(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0})) {
            for (int i = 0; i < 3; i++) {
                trained.discriminatorStep(real, labels, 0.9, ADAM, new Rng(10 + i));
                trained.generatorStep(16, ADAM, new Rng(20 + i));
            }
            trained.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve(GanModel.FILE)));
            String raw = new String(Files.readAllBytes(dir.resolve(GanModel.FILE)), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertFalse(raw.contains("org.genbench"), "no class names in the checkpoint");

            GanModel restored = (GanModel) family.create(dcgan(true), IMAGES, new Rng(99));
            restored.load(dir);
            trained.generator.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
                    restored.generator.state().get(k).toFloatArray(), k));
            trained.adamD.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
                    restored.adamD.state().get(k).toFloatArray(), k));
            assertEquals(3, restored.adamG.steps());
            // the next updates (which use Adam's moments and step counts) agree exactly
            double a = trained.discriminatorStep(real, labels, 1.0, ADAM, new Rng(30));
            double b = restored.discriminatorStep(real, labels, 1.0, ADAM, new Rng(30));
            assertEquals(a, b, 0.0);
            assertEquals(trained.generatorStep(16, ADAM, new Rng(31)), restored.generatorStep(16, ADAM, new Rng(31)), 0.0);
            try (Tensor s1 = trained.sample(7, new Rng(8), allocator); Tensor s2 = restored.sample(7, new Rng(8), allocator)) {
                assertArrayEquals(s1.toDoubleArray(), s2.toDoubleArray(), 0.0);
            }
        }
    }

    @Test
    void loadingAnotherModelsCheckpointFailsNamingTheField() throws IOException {
        GanFamily family = new GanFamily();
        family.create(dcgan(true), IMAGES, new Rng(5)).as(org.genbench.api.Persistent.class).orElseThrow().save(dir);
        GanModel other = (GanModel) family.create(new GanFamily.Config("dcgan", 6, null, null, 8, 4, true, null, null),
                IMAGES, new Rng(5));
        IOException e = assertThrows(IOException.class, () -> other.load(dir));
        assertTrue(e.getMessage().contains("'config'") && e.getMessage().contains("differently configured"), e.getMessage());
        Files.delete(dir.resolve(GanModel.FILE));
        GanModel same = (GanModel) family.create(dcgan(true), IMAGES, new Rng(5));
        IOException missing = assertThrows(IOException.class, () -> same.load(dir));
        assertTrue(missing.getMessage().contains("incomplete GAN checkpoint"), missing.getMessage());
    }

    @Test
    void unconditionalSamplingAndStepsOnVectors() {
        GanModel gan = (GanModel) new GanFamily().create(GanFamily.Config.defaults(), POINTS, new Rng(2));
        assertInstanceOf(AdversarialTrainable.class, gan);
        try (Tensor real = Tensor.allocate(allocator, DType.FLOAT64, 32, 2)) {
            double d = gan.discriminatorStep(real, null, 1.0, ADAM, new Rng(1));
            // at initialization D is near chance: loss near 2 log 2 (real and fake cross-entropies at p = 1/2)
            assertEquals(2 * Math.log(2), d, 1.0);
            assertTrue(Double.isFinite(gan.generatorStep(32, ADAM, new Rng(2))));
        }
        try (Tensor s = gan.sample(2500, new Rng(3), allocator)) {
            assertArrayEquals(new long[] {2500, 2}, s.shape());
        }
    }

    /** D's and G's losses differentiated through both networks (conditional DCGAN and MLP), float64. */
    @Test
    void theAdversarialLossesGradientsMatchFiniteDifferences() {
        DataInfo tiny = new DataInfo("tiny", new long[] {1, 4, 4}, DataInfo.CONTINUOUS, 2, null);
        for (GanFamily.Config c : new GanFamily.Config[] {
            new GanFamily.Config("dcgan", 3, null, null, 2, 2, true, null, null),
            new GanFamily.Config("mlp", 2, 5, 1, null, null, false, "symmetric", null)}) {
            DataInfo info = c.arch().equals("mlp") ? new DataInfo("v", new long[] {3}, DataInfo.CONTINUOUS, 0, null) : tiny;
            GanModel m = c.conditional() ? new ConditionalGanModel(c, info, new Rng(1), org.genbench.nn.DType.F64)
                    : new GanModel(c, info, new Rng(1), org.genbench.nn.DType.F64);
            long[] shape = c.arch().equals("mlp") ? new long[] {4, 3} : new long[] {4, 1, 4, 4};
            try (Tensor real = Tensor.allocate(allocator, DType.FLOAT64, shape); Tensor labels = ints(new int[] {0, 1, 1, 0})) {
                Rng r = new Rng(2);
                for (long i = 0; i < real.size(); i++) {
                    real.setDouble(i, r.nextDouble());
                }
                GradCheck.assertClose(GradCheck.check(m.discriminator.parameters(), java.util.List.of(),
                        in -> m.discriminatorLoss(real, c.conditional() ? labels : null, 0.9, new Rng(3)), 3, 1e-5, 4), 1e-6);
                GradCheck.assertClose(GradCheck.check(m.generator.parameters(), java.util.List.of(),
                        in -> m.generatorLoss(4, new Rng(5)), 3, 1e-5, 6), 1e-6);
            }
        }
    }

    private Tensor ints(int[] values) {
        Tensor t = Tensor.allocate(allocator, DType.INT32, values.length);
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    private Tensor images(int n, Rng rng) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 8, 8);
        for (long i = 0; i < t.size(); i++) {
            t.setDouble(i, rng.nextDouble());
        }
        return t;
    }

    /** D's hidden layer is what its logit is a linear function of: recomputed from the last layer's weights. */
    @Test
    void theDiscriminatorsHiddenLayerGivesItsLogitThroughTheLastLinearLayer() {
        GanModel gan = (GanModel) new GanFamily().create(GanFamily.Config.defaults(), POINTS, new Rng(2));
        int hidden = GanFamily.Config.defaults().hidden();
        assertEquals(java.util.Map.of("discriminator-hidden", hidden), gan.representations());
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 6, 2)) {
            Rng rng = new Rng(3);
            for (int i = 0; i < 12; i++) {
                x.setDouble(i, rng.nextGaussian());
            }
            try (Tensor h = gan.represent("discriminator-hidden", x)) {
                assertArrayEquals(new long[] {6, hidden}, h.shape());
                java.util.Map<String, org.genbench.nn.NdArray> state = gan.discriminator.state();
                String last = state.keySet().stream().filter(k -> k.endsWith(".weight")).reduce((a, b) -> b).orElseThrow();
                org.genbench.nn.NdArray w = state.get(last);
                org.genbench.nn.NdArray b = state.get(last.replace(".weight", ".bias"));
                try (org.genbench.nn.Scope s = org.genbench.nn.Scope.open()) {
                    org.genbench.nn.NdArray logits = ((org.genbench.nn.Layer) gan.discriminator).forward(
                            org.genbench.nn.NdArray.fromTensor(x, org.genbench.nn.DType.F32));
                    for (int i = 0; i < 6; i++) {
                        double z = b.getFlat(0);
                        for (int j = 0; j < hidden; j++) {
                            z += w.getFlat(j) * h.get(i, j);
                        }
                        assertEquals(logits.getFlat(i), z, 1e-5, "example " + i);
                    }
                }
            }
        }
        Model cgan = new GanFamily().create(dcgan(true), IMAGES, new Rng(1));
        assertTrue(((GanModel) cgan).representations().isEmpty(), "a conditional D takes the label as input");
        GanModel dc = (GanModel) new GanFamily().create(dcgan(false), IMAGES, new Rng(1));
        try (Tensor images = Tensor.allocate(allocator, DType.FLOAT32, 3, 1, 8, 8);
             Tensor h = dc.represent("discriminator-hidden", images)) {
            assertArrayEquals(new long[] {3, dc.representations().get("discriminator-hidden")}, h.shape());
        }
    }
}
