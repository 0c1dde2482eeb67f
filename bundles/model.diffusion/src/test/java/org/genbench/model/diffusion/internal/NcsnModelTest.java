package org.genbench.model.diffusion.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.AnnealedLangevin;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Observer;
import org.genbench.diffusion.PredictorCorrector;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NcsnModelTest {
    BufferAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    static NcsnFamily.Config toyConfig(double ema) {
        return new NcsnFamily.Config(null, 64, 3, 32, null, null, null, null, 5.0, 0.01, 30, ema);
    }

    @Test
    void theWholeLossPassesAGradientCheck() {
        NcsnModel mlp = NcsnFamily.create(toyConfig(0.9), Toy.INFO, new Rng(1), org.genbench.nn.DType.F64);
        try (Batch b = Toy.batch(Toy.draw(5, new Rng(2)), allocator)) {
            GradCheck.assertClose(GradCheck.check(mlp.trained.module().parameters(), List.of(),
                    in -> mlp.loss(b, new Rng(3)), 3, 1e-5, 8), 1e-6);
        }
        DataInfo images = new DataInfo("tiny-images", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 0, null);
        NcsnModel unet = NcsnFamily.create(new NcsnFamily.Config(null, null, null, null, 4, new int[] {1, 2}, 1, null, null,
                null, 10, 0.9), images, new Rng(4), org.genbench.nn.DType.F64);
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 2, 1, 8, 8);
        Rng r = new Rng(5);
        for (int i = 0; i < 128; i++) {
            x.setDouble(i, r.nextDouble());
        }
        try (Batch b = Batch.of(x)) {
            GradCheck.assertClose(GradCheck.check(unet.trained.module().parameters(), List.of(),
                    in -> unet.loss(b, new Rng(6)), 2, 1e-5, 9), 1e-6);
        }
    }

    /**
     * An NCSN on the four-Gaussian toy, 1200 steps: annealed Langevin dynamics and the predictor-corrector sampler both
     * reproduce the mixture (energy distance below the bar of {@link DdpmModelTest#THRESHOLD}); untrained, they do not.
     */
    @Test
    void learnsTheMixture() {
        NcsnModel m = NcsnFamily.create(toyConfig(0.99), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        double[] exact = Toy.draw(800, new Rng(100))[0];
        double before = Toy.energyDistance(langevin(m, 800, 7), exact);
        List<Double> losses = Fit.toy(m, 1200, 128, 3e-3, 12, allocator);
        assertTrue(Fit.mean(losses, 1100, 1200) < 0.85 * Fit.mean(losses, 0, 20), "loss " + losses.get(0) + " -> " + losses.get(1199));
        double als = Toy.energyDistance(langevin(m, 800, 7), exact);
        Denoiser net = Denoiser.of(m, new long[] {2}, 1024, 0, allocator);
        double pc = Toy.energyDistance(Toy.doubles(PredictorCorrector.sampleScore(net, m.sigmas(), 800, null,
                new PredictorCorrector.Settings(100, 1, 0.16), null, new Rng(8), Observer.none())), exact);
        assertTrue(before > 5 * DdpmModelTest.THRESHOLD, "untrained: " + before);
        assertTrue(als < DdpmModelTest.THRESHOLD, "annealed Langevin: energy distance " + als);
        assertTrue(pc < DdpmModelTest.THRESHOLD, "predictor-corrector: energy distance " + pc);
    }

    double[] langevin(NcsnModel m, int n, long seed) {
        Denoiser net = Denoiser.of(m, new long[] {2}, 1024, 0, allocator);
        return Toy.doubles(AnnealedLangevin.sample(net, m.sigmas(), n, null, new AnnealedLangevin.Settings(20, 2e-5, true),
                null, new Rng(seed), Observer.none()));
    }

    @Test
    void aCheckpointResumesExactly(@TempDir Path dir) throws IOException {
        NcsnFamily.Config c = toyConfig(0.9);
        NcsnModel a = NcsnFamily.create(c, Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        Fit.toy(a, 3, 16, 1e-2, 5, allocator);
        a.save(dir);
        List<Double> rest = Fit.toy(a, 3, 16, 1e-2, 6, allocator);
        NcsnModel b = NcsnFamily.create(c, Toy.INFO, new Rng(99), org.genbench.nn.DType.F32);
        b.load(dir);
        assertEquals(rest, Fit.toy(b, 3, 16, 1e-2, 6, allocator));
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 2, 2); Tensor s = Tensor.ofDoubles(allocator,
                new double[] {0.05, 2.0}, 2)) {
            x.setDouble(0, 0.3);
            x.setDouble(3, -1);
            try (Tensor ea = a.score(x, s, null); Tensor eb = b.score(x, s, null)) {
                assertArrayEquals(ea.toDoubleArray(), eb.toDoubleArray());
            }
        }
        DdpmModel ddpm = DdpmFamily.create(DdpmModelTest.toyConfig(false, 20, 0.9), Toy.INFO, new Rng(1),
                org.genbench.nn.DType.F32);
        IOException e = assertThrows(IOException.class, () -> ddpm.load(dir));
        assertTrue(e.getMessage().contains("'ncsn' model") || e.getMessage().contains("cannot load"), e.getMessage());
    }

    @Test
    void settingsAndRefusals() {
        NcsnModel m = NcsnFamily.create(NcsnFamily.Config.defaults(), Toy.INFO, new Rng(1), org.genbench.nn.DType.F32);
        assertEquals(50, m.sigmas().length);
        assertEquals(5, m.sigmas()[0], 1e-12);
        DataInfo image = new DataInfo("img", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 0, null);
        NcsnModel img = NcsnFamily.create(NcsnFamily.Config.defaults(), image, new Rng(1), org.genbench.nn.DType.F32);
        assertEquals(232, img.sigmas().length);
        assertEquals(50, img.sigmas()[0], 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NcsnFamily.Config(null, null, null,
                null, null, null, null, null, 0.005, 0.01, null, null));
        assertTrue(e.getMessage().contains("sigmaMax"), e.getMessage());
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 1, 2); Tensor s = Tensor.ofDoubles(allocator, new double[] {0}, 1)) {
            e = assertThrows(IllegalArgumentException.class, () -> m.score(x, s, null));
            assertTrue(e.getMessage().contains("> 0"), e.getMessage());
        }
    }
}
