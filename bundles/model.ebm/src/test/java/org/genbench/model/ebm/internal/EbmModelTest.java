package org.genbench.model.ebm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.AdamSettings;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.genbench.stats.SampleDistances;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EbmModelTest {
    static final DataInfo TOY = new DataInfo("eight-gaussians", new long[] {2}, DataInfo.CONTINUOUS, 0, null);
    static final double RADIUS = 2 * Math.sqrt(2);
    static final double NOISE = 0.5 / Math.sqrt(2);

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

    static GradientTrainable.Step adam(double lr) {
        return new GradientTrainable.Step(new AdamSettings(lr, 0.9, 0.999, 1e-8), 1.0);
    }

    static EbmFamily.Config config(String objective, int hidden, int steps, double stepSize, int buffer) {
        return new EbmFamily.Config(objective, hidden, null, steps, stepSize, null, buffer, null, null, null, null,
                null);
    }

    /** Exact draws of data.toy's eight-gaussians: centres at radius 2 sqrt 2, every 45 degrees, sd 0.5 / sqrt 2. */
    static double[] eightGaussians(int n, Rng rng) {
        return eightGaussians(n, NOISE, rng);
    }

    /** The same centres with standard deviation sd. */
    static double[] eightGaussians(int n, double sd, Rng rng) {
        double[] x = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = rng.nextInt(8) * Math.PI / 4;
            x[2 * i] = RADIUS * Math.cos(a) + sd * rng.nextGaussian();
            x[2 * i + 1] = RADIUS * Math.sin(a) + sd * rng.nextGaussian();
        }
        return x;
    }

    @Test
    void theWrittenOutInputGradientIsAutogradsAndTheLossesPassGradientChecks() {
        EbmModel m = new EbmModel(new EbmFamily.Config("langevin", 7, 3, null, null, null, 16, null, null, null, 0.3, 0.2),
                new DataInfo("v", new long[] {3}, DataInfo.CONTINUOUS, 0, null), new Rng(3), org.genbench.nn.DType.F64);
        Rng r = new Rng(4);
        double[] xv = new double[5 * 3];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = 1.5 * r.nextGaussian();
        }
        try (Scope s = Scope.open()) {
            NdArray x = NdArray.wrap(xv, 5, 3);
            double[] written = m.net.inputGradient(x).toDoubleArray();
            double[] auto;
            try (Graph g = Graph.recordInputsOnly()) {
                NdArray xi = g.input(x);
                F.sum(m.net.energy(xi)).backward();
                auto = xi.grad().toDoubleArray();
            }
            assertArrayEquals(auto, written, 1e-12);
        }
        NdArray x = NdArray.wrap(xv, 5, 3);
        NdArray neg = NdArray.wrap(eightGaussiansLike(15, new Rng(5)), 5, 3);
        NdArray eps = NdArray.wrap(eightGaussiansLike(15, new Rng(6)), 5, 3);
        GradCheck.assertClose(GradCheck.check(m.net.parameters(), List.of(), in -> m.contrastiveLoss(x, neg), 3, 1e-5, 5),
                1e-6);
        GradCheck.assertClose(GradCheck.check(m.net.parameters(), List.of(), in -> m.dsmLoss(x, eps), 3, 1e-5, 5), 1e-6);
    }

    /**
     * The conv energy's dE/dx (nn's autograd by the input, through three strided convolutions) against central
     * differences of its energy, and its Langevin objective's weight gradient against finite differences.
     */
    @Test
    void theConvEnergysInputGradientMatchesFiniteDifferencesAndItsLossPassesGradientChecks() {
        EbmModel m = new EbmModel(new EbmFamily.Config("langevin", 8, null, null, null, null, 4, null, 0.0, 1.0, 0.3,
                null, "conv", 3), new DataInfo("img", new long[] {1, 6, 6}, DataInfo.CONTINUOUS, 0, null), new Rng(3),
                org.genbench.nn.DType.F64);
        Rng r = new Rng(4);
        int n = 3;
        int d = 36;
        double[] xv = new double[n * d];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = r.nextDouble();
        }
        double[] grad;
        try (Scope s = Scope.open()) {
            grad = m.net.inputGradient(NdArray.wrap(xv, n, d)).toDoubleArray();
        }
        double h = 1e-5;
        double worst = 0;
        for (int k = 0; k < xv.length; k += 5) {
            double[] plus = xv.clone();
            double[] minus = xv.clone();
            plus[k] += h;
            minus[k] -= h;
            double ep;
            double em;
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                ep = m.net.energy(NdArray.wrap(plus, n, d)).toDoubleArray()[k / d];
                em = m.net.energy(NdArray.wrap(minus, n, d)).toDoubleArray()[k / d];
            }
            worst = Math.max(worst, Math.abs((ep - em) / (2 * h) - grad[k]));
        }
        assertTrue(worst < 1e-7, "dE/dx vs central differences: " + worst);
        assertTrue(java.util.Arrays.stream(grad).map(Math::abs).max().orElseThrow() > 1e-4, "a gradient that is not 0");
        NdArray x = NdArray.wrap(xv, n, d);
        NdArray neg = NdArray.wrap(eightGaussiansLike(n * d, new Rng(5)), n, d);
        GradCheck.assertClose(GradCheck.check(m.net.parameters(), List.of(), in -> m.contrastiveLoss(x, neg), 3, 1e-5, 5),
                1e-6);
    }

    private static double[] eightGaussiansLike(int n, Rng rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    /**
     * Both objectives learn the eight Gaussians, each the density it estimates: Langevin maximum likelihood the data's
     * own, denoising score matching the data smoothed by its noise, N(0, sigma^2) (the same centres with standard
     * deviation sqrt(0.354^2 + sigma^2)). Checked two ways against that known density: KL(p || exp(-E)/Z) on a grid,
     * and the energy distance to exact draws of Langevin chains on the trained energy started at other exact draws,
     * against the floor of two exact sets of the same size; the untrained energy is far off on both.
     */
    @Test
    void bothObjectivesLearnTheEightGaussians() {
        double[] data = eightGaussians(4000, new Rng(14));
        double sigma = 0.3;
        for (String objective : List.of("dsm", "langevin")) {
            double sd = objective.equals("dsm") ? Math.hypot(NOISE, sigma) : NOISE;
            double floor = SampleDistances.energyDistance(eightGaussians(1000, sd, new Rng(11)),
                    eightGaussians(1000, sd, new Rng(12)), 2);
            double[] exact = eightGaussians(1000, sd, new Rng(13));
            EbmFamily.Config c = objective.equals("dsm")
                    ? new EbmFamily.Config("dsm", 64, null, null, null, null, null, null, null, null, null, sigma)
                    : config("langevin", 64, 20, 0.01, 4000);
            EbmModel m = (EbmModel) new EbmFamily().create(c, TOY, new Rng(2));
            double before = distance(m, exact, sd);
            double klBefore = kl(m, sd);
            long t0 = System.nanoTime();
            int steps = objective.equals("dsm") ? 3000 : 2500;
            Rng rng = new Rng(7);
            for (int step = 0; step < steps; step++) {
                int start = (step * 100) % 4000;
                double[] rows = java.util.Arrays.copyOfRange(data, 2 * start, 2 * start + 200);
                try (Tensor t = Tensor.ofDoubles(allocator, rows, 100, 2); Batch b = Batch.of(t)) {
                    m.trainStep(b, adam(3e-3), rng.split(step));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double after = distance(m, exact, sd);
            double klAfter = kl(m, sd);
            System.out.printf("ebm %s: %d steps (%.1f s); KL(p || exp(-E)/Z) on a grid %.4f before, %.4f after; energy"
                    + " distance to exact draws of Langevin chains started at other exact draws %.4f before, %.4f after (floor of two exact sets %.4f)%n",
                    objective, steps, seconds, klBefore, klAfter, before, after, floor);
            assertTrue(klAfter < 0.45, objective + ": KL " + klAfter);
            assertTrue(after < 2 * floor, objective + ": energy distance " + after + " (floor " + floor + ")");
            assertTrue(klBefore > 1 && before > 4 * floor, objective + ": untrained KL " + klBefore + ", distance " + before);
        }
    }

    /**
     * KL(p || q) of the exact density p and the model's q = exp(-E) / Z, both on a 200 x 200 grid over [-5, 5]^2 (Z by
     * the grid's sum; p's mass outside the grid is below 1e-9).
     */
    double kl(EbmModel m, double sd) {
        int k = 200;
        double h = 10.0 / k;
        double[] pts = new double[2 * k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                pts[2 * (i * k + j)] = -5 + (i + 0.5) * h;
                pts[2 * (i * k + j) + 1] = -5 + (j + 0.5) * h;
            }
        }
        double[] e;
        try (Tensor t = Tensor.ofDoubles(allocator, pts, k * k, 2); Tensor et = m.energy(t)) {
            e = et.toDoubleArray();
        }
        double min = java.util.Arrays.stream(e).min().orElseThrow();
        double z = 0;
        for (double v : e) {
            z += Math.exp(min - v) * h * h;
        }
        double kl = 0;
        for (int i = 0; i < k * k; i++) {
            double p = exactDensity(pts[2 * i], pts[2 * i + 1], sd);
            if (p > 0) {
                double logQ = min - e[i] - Math.log(z);
                kl += p * h * h * (Math.log(p) - logQ);
            }
        }
        return kl;
    }

    static double exactDensity(double x, double y, double sd) {
        double p = 0;
        for (int c = 0; c < 8; c++) {
            double a = c * Math.PI / 4;
            double dx = x - RADIUS * Math.cos(a);
            double dy = y - RADIUS * Math.sin(a);
            p += Math.exp(-(dx * dx + dy * dy) / (2 * sd * sd)) / (2 * Math.PI * sd * sd) / 8;
        }
        return p;
    }

    /**
     * 1000 chains started at exact draws of the target (independent of {@code exact}) after 500 unadjusted Langevin
     * steps of 0.01 on the model's energy: a stationarity check, since Langevin does not cross between the modes in
     * this time (the KL on the grid checks the modes' weights); a wrong energy moves the chains away.
     */
    static double distance(EbmModel m, double[] exact, double sd) {
        Rng rng = new Rng(21);
        double[] x = eightGaussians(1000, sd, new Rng(31));
        m.langevin(x, 1000, 500, 0.01, 1.0, rng.split("noise"));
        return SampleDistances.energyDistance(x, exact, 2);
    }

    /** Save after 5 steps, load into a fresh model, 5 more: the same weights, buffer and energies as 10 straight. */
    @Test
    void resumeEqualsAnUninterruptedRun() throws IOException {
        double[] data = eightGaussians(200, new Rng(14));
        EbmFamily.Config c = config("langevin", 16, 5, 0.01, 300);
        EbmModel straight = (EbmModel) new EbmFamily().create(c, TOY, new Rng(2));
        train(straight, data, 0, 10);
        EbmModel first = (EbmModel) new EbmFamily().create(c, TOY, new Rng(2));
        train(first, data, 0, 5);
        first.save(dir);
        EbmModel second = (EbmModel) new EbmFamily().create(c, TOY, new Rng(99));
        second.load(dir);
        assertEquals(5, second.stepsTaken());
        train(second, data, 5, 10);
        Map<String, NdArray> a = straight.net.state();
        Map<String, NdArray> b = second.net.state();
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("replay"));
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0, k);
        }
        EbmModel other = (EbmModel) new EbmFamily().create(config("dsm", 16, 5, 0.01, 300), TOY, new Rng(2));
        IOException e = assertThrows(IOException.class, () -> other.load(dir));
        assertTrue(e.getMessage().contains("config"), e.getMessage());
    }

    private void train(EbmModel m, double[] data, int from, int to) {
        Rng rng = new Rng(7);
        for (int step = from; step < to; step++) {
            try (Tensor t = Tensor.ofDoubles(allocator, java.util.Arrays.copyOfRange(data, (step % 4) * 100,
                    (step % 4) * 100 + 100), 50, 2); Batch b = Batch.of(t)) {
                m.trainStep(b, adam(1e-3), rng.split(step));
            }
        }
    }

    @Test
    void energyGradientAndScoreAreConsistentAndShapesAreChecked() {
        EbmModel m = (EbmModel) new EbmFamily().create(EbmFamily.Config.defaults(), TOY, new Rng(2));
        double[] xv = eightGaussians(4, new Rng(3));
        try (Tensor x = Tensor.ofDoubles(allocator, xv, 4, 2); Tensor e = m.energy(x); Tensor g = m.energyGradient(x);
             Tensor s = m.score(x)) {
            assertArrayEquals(new long[] {4}, e.shape());
            double[] gd = g.toDoubleArray();
            double[] sd = s.toDoubleArray();
            for (int i = 0; i < gd.length; i++) {
                assertEquals(-gd[i], sd[i], 0);
            }
            // central differences of the float32 energy
            double h = 1e-2;
            double[] up = xv.clone();
            double[] down = xv.clone();
            up[0] += h;
            down[0] -= h;
            try (Tensor tu = Tensor.ofDoubles(allocator, up, 4, 2); Tensor td = Tensor.ofDoubles(allocator, down, 4, 2);
                 Tensor eu = m.energy(tu); Tensor ed = m.energy(td)) {
                assertEquals((eu.getDouble(0) - ed.getDouble(0)) / (2 * h), gd[0], 1e-3);
            }
        }
        try (Tensor bad = Tensor.ofDoubles(allocator, new double[6], 2, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.energy(bad));
            assertTrue(e.getMessage().contains("2 values"), e.getMessage());
        }
    }

    /**
     * On dequantized data the model is a density on [0, 1)^d: E = +infinity outside, the training chains are reflected
     * at the faces (a strong drift would push them out), and chains that would start outside are refused by name.
     */
    @Test
    void onDequantizedDataTheModelLivesOnTheCube() {
        DataInfo cube = new DataInfo("two-levels", new long[] {3}, DataInfo.DISCRETE, 0, null,
                new org.genbench.api.Dequantization(2, 0));
        EbmModel m = new EbmModel(new EbmFamily.Config("langevin", 8, 2, 30, 0.5, 1.0, 16, 0.1, 0.0, 1.0, 0.1, null),
                cube, new Rng(3));
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {0.2, 0.5, 0.9, 0.2, 1.0, 0.9, -0.01, 0.5, 0.5}, 3, 3);
             Tensor e = m.energy(x)) {
            assertTrue(Double.isFinite(e.getDouble(0)));
            assertEquals(Double.POSITIVE_INFINITY, e.getDouble(1));
            assertEquals(Double.POSITIVE_INFINITY, e.getDouble(2));
        }
        double[] chains = m.negatives(16, new Rng(4));
        for (double v : chains) {
            assertTrue(v >= 0 && v < 1, "a chain left the cube: " + v);
        }
        // the same chains on continuous data: with step 0.5 and noise 1 they leave [0, 1)
        EbmModel free = new EbmModel(new EbmFamily.Config("langevin", 8, 2, 30, 0.5, 1.0, 16, 0.1, 0.0, 1.0, 0.1,
                null), new DataInfo("v", new long[] {3}, DataInfo.CONTINUOUS, 0, null), new Rng(3));
        assertTrue(java.util.Arrays.stream(free.negatives(16, new Rng(4))).anyMatch(v -> v < 0 || v >= 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EbmModel(
                new EbmFamily.Config("langevin", 8, 2, null, null, null, null, null, -4.0, 4.0, null, null), cube,
                new Rng(1)));
        assertTrue(e.getMessage().contains("initLow and initHigh must lie in [0, 1]"), e.getMessage());
    }

    @Test
    void settingsAreCheckedByName() {
        for (String field : List.of("objective", "hidden", "depth", "langevinSteps", "stepSize", "noiseScale",
                "bufferSize", "reinit", "initLow", "alpha", "sigma", "network", "channels")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(field));
            assertTrue(e.getMessage().startsWith(field), field + ": " + e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new EbmFamily.Config("dsm", null, null, null,
                null, null, null, null, null, null, null, null, "conv", null)).getMessage()
                .startsWith("network 'conv' needs objective 'langevin'"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EbmModel(
                new EbmFamily.Config(null, null, null, null, null, null, null, null, null, null, null, null, "conv",
                        null), new DataInfo("v", new long[] {2}, DataInfo.CONTINUOUS, 0, null), new Rng(1)));
        assertEquals("network 'conv' needs images shaped [channels, height, width]; dataset 'v' has sample shape [2]"
                + " (use network 'mlp')", e.getMessage());
    }

    private static EbmFamily.Config config(String field) {
        return switch (field) {
                case "objective" -> new EbmFamily.Config("cd", null, null, null, null, null, null, null, null, null, null, null);
                case "hidden" -> new EbmFamily.Config(null, 0, null, null, null, null, null, null, null, null, null, null);
                case "depth" -> new EbmFamily.Config(null, null, 9, null, null, null, null, null, null, null, null, null);
                case "langevinSteps" -> new EbmFamily.Config(null, null, null, 0, null, null, null, null, null, null, null, null);
                case "stepSize" -> new EbmFamily.Config(null, null, null, null, -1.0, null, null, null, null, null, null, null);
                case "noiseScale" -> new EbmFamily.Config(null, null, null, null, null, 2.0, null, null, null, null, null, null);
                case "bufferSize" -> new EbmFamily.Config(null, null, null, null, null, null, -1, null, null, null, null, null);
                case "reinit" -> new EbmFamily.Config(null, null, null, null, null, null, null, 1.5, null, null, null, null);
                case "initLow" -> new EbmFamily.Config(null, null, null, null, null, null, null, null, 5.0, null, null, null);
                case "alpha" -> new EbmFamily.Config(null, null, null, null, null, null, null, null, null, null, -1.0, null);
                case "network" -> new EbmFamily.Config(null, null, null, null, null, null, null, null, null, null, null, null, "resnet", null);
                case "channels" -> new EbmFamily.Config(null, null, null, null, null, null, null, null, null, null, null, null, "conv", 0);
            default -> new EbmFamily.Config(null, null, null, null, null, null, null, null, null, null, null, 0.0);
        };
    }
}
