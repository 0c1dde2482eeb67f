package org.genbench.sampler.mcmc.internal;

import org.genbench.testing.TestEnergy;
import org.genbench.testing.TestRunContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.McmcDiagnostics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class McmcSamplersTest {
    private static final long SEED = 20_240_601L;
    private static final int CHAINS = 4;
    private static final int DRAWS = 10_000;
    private static final int WARMUP = 1000;

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if anything leaked
    }

    /** Runs the named sampler with the given chain settings and its own defaults for the rest. */
    private static SampleResult run(String sampler, Model model, int chains, int draws, int warmup, Integer thin,
            RunContext context) {
        return switch (sampler) {
            case "mh" -> new MhSampler().sample(model,
                    new MhSampler.Config(chains, draws, warmup, thin, null, null, null), context);
            case "mala" -> new MalaSampler().sample(model,
                    new MalaSampler.Config(chains, draws, warmup, thin, null, null, null), context);
            case "hmc" -> new HmcSampler().sample(model,
                    new HmcSampler.Config(chains, draws, warmup, thin, null, null, null, null), context);
            default -> throw new IllegalArgumentException(sampler);
        };
    }

    private static Sampler<?> sampler(String name) {
        return switch (name) {
            case "mh" -> new MhSampler();
            case "mala" -> new MalaSampler();
            case "hmc" -> new HmcSampler();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Metric metric(SampleResult result, String name) {
        return result.diagnostics().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no diagnostic " + name + " in " + result.diagnostics()));
    }

    /** Dimension {@code j} of the samples as {@code [chain][draw]}. */
    private static double[][] chainsOf(double[] samples, int chains, int dim, int j) {
        int draws = samples.length / dim / chains;
        double[][] out = new double[chains][draws];
        for (int c = 0; c < chains; c++) {
            for (int k = 0; k < draws; k++) {
                out[c][k] = samples[((c * draws) + k) * dim + j];
            }
        }
        return out;
    }

    private static double mean(double[][] chains) {
        return Arrays.stream(chains).flatMapToDouble(Arrays::stream).average().orElseThrow();
    }

    private static double sd(double[][] chains) {
        double m = mean(chains);
        double[] all = Arrays.stream(chains).flatMapToDouble(Arrays::stream).toArray();
        return Math.sqrt(Arrays.stream(all).map(v -> (v - m) * (v - m)).sum() / (all.length - 1));
    }

    /** Monte Carlo standard error of the mean of a chained quantity: sd / sqrt(ESS). */
    private static double mcse(double[][] chains) {
        return sd(chains) / Math.sqrt(McmcDiagnostics.ess(chains));
    }

    /** The moment checks run on the full model and on models that force each sampler's other target source. */
    static Stream<Arguments> samplerAndModel() {
        return Stream.of(
                Arguments.of("mh", "full", "LogDensity"),
                Arguments.of("mh", "energyOnly", "Energy"),
                Arguments.of("mala", "full", "Energy"),
                Arguments.of("mala", "densityAndScore", "LogDensity+Score"),
                Arguments.of("hmc", "full", "Energy"));
    }

    private static Model model(String kind) {
        GaussianMixture2d m = new GaussianMixture2d();
        return switch (kind) {
            case "full" -> m;
            case "energyOnly" -> new EnergyOnly(m);
            case "densityAndScore" -> new DensityAndScore(m);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("samplerAndModel")
    void matchesTheMixturesMeanAndCovariance(String samplerName, String modelKind, String expectedSource) {
        double[] trueMean = GaussianMixture2d.mean();
        double[][] trueCov = GaussianMixture2d.covariance();
        TestRunContext context = new TestRunContext(SEED, allocator);
        long start = System.nanoTime();
        try (SampleResult result = run(samplerName, model(modelKind), CHAINS, DRAWS, WARMUP, null, context)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            assertArrayEquals(new long[] {(long) CHAINS * DRAWS, 2}, result.samples().shape());
            assertEquals(CHAINS, result.chains());
            double[] x = result.samples().toDoubleArray();
            double[][][] dims = {chainsOf(x, CHAINS, 2, 0), chainsOf(x, CHAINS, 2, 1)};
            StringBuilder report = new StringBuilder(samplerName + " on " + modelKind + String.format(": %.2f s", seconds));
            // Tolerances are 4 Monte Carlo standard errors (sd / sqrt(ESS), ESS of the raw draws): a correct
            // sampler misses by that much about once in 16000 runs. The caps on the MCSE keep the check sharp: a
            // chain that barely moves has a huge MCSE and would otherwise pass anything.
            for (int j = 0; j < 2; j++) {
                double m = mean(dims[j]);
                double se = mcse(dims[j]);
                report.append(String.format(" mean[%d]=%.4f (true %.4f, mcse %.4f)", j, m, trueMean[j], se));
                assertTrue(se < 0.03, "MCSE of mean[" + j + "] is " + se);
                assertEquals(trueMean[j], m, 4 * se, "mean[" + j + "]");
            }
            for (int j = 0; j < 2; j++) {
                for (int k = j; k < 2; k++) {
                    // Centred on the true mean, the covariance entry is the plain mean of a product of draws, so
                    // its MCSE comes from that product's own chains and ESS.
                    double[][] product = new double[CHAINS][DRAWS];
                    for (int c = 0; c < CHAINS; c++) {
                        for (int i = 0; i < DRAWS; i++) {
                            product[c][i] = (dims[j][c][i] - trueMean[j]) * (dims[k][c][i] - trueMean[k]);
                        }
                    }
                    double cov = mean(product);
                    double se = mcse(product);
                    report.append(String.format(" cov[%d%d]=%.4f (true %.4f, mcse %.4f)", j, k, cov, trueCov[j][k], se));
                    assertTrue(se < 0.06, "MCSE of cov[" + j + k + "] is " + se);
                    assertEquals(trueCov[j][k], cov, 4 * se, "cov[" + j + k + "]");
                }
            }

            Metric rhat = metric(result, "split_rhat_max");
            Metric ess = metric(result, "ess_bulk_min");
            Metric acceptance = metric(result, "acceptance_rate");
            Metric step = metric(result, "step_size");
            report.append(String.format(" rhat=%.4f essBulkMin=%.0f acceptance=%.3f step=%.3f", rhat.value(), ess.value(),
                    acceptance.value(), step.value()));
            System.out.println(report);
            assertTrue(rhat.value() < 1.01, "split R-hat " + rhat.value());
            assertEquals(Math.max(McmcDiagnostics.rankNormalizedSplitRhat(dims[0]),
                    McmcDiagnostics.rankNormalizedSplitRhat(dims[1])), rhat.value(), 1e-12);
            assertEquals(Math.min(McmcDiagnostics.essBulk(dims[0]), McmcDiagnostics.essBulk(dims[1])), ess.value(), 1e-9);
            assertTrue(ess.value() > 2000, "bulk ESS " + ess.value());

            double target = (double) acceptance.protocol().get("target_acceptance");
            assertTrue(acceptance.value() > 0.1 && acceptance.value() < 0.95, "acceptance " + acceptance.value());
            // Dual averaging aims the warmup's mean acceptance probability at the target; the frozen averaged step
            // lands within a few points of it on a target this regular.
            assertEquals(target, acceptance.value(), 0.1, "acceptance against its target");
            double perChainMean = 0;
            for (int c = 0; c < CHAINS; c++) {
                double rate = (double) acceptance.protocol().get("chain_" + c);
                assertTrue(rate > 0.1 && rate < 0.95, "chain " + c + " acceptance " + rate);
                perChainMean += rate / CHAINS;
            }
            assertEquals(perChainMean, acceptance.value(), 1e-12);

            for (Metric metric : result.diagnostics()) {
                assertEquals(CHAINS, metric.protocol().get("chains"), metric.name());
                assertEquals(DRAWS, metric.protocol().get("draws"), metric.name());
                assertEquals(WARMUP, metric.protocol().get("warmup"), metric.name());
                assertEquals(expectedSource, metric.protocol().get("target"), metric.name());
            }
            assertEquals(0.0, metric(result, "init_from_model").value());
            assertEquals("gaussian(initScale=1.0)", rhat.protocol().get("init"));
            long total = WARMUP + DRAWS;
            assertArrayEquals(new long[] {total, total}, context.progress.get(context.progress.size() - 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mh", "mala", "hmc"})
    void everyModelCallCarriesAllChainsAtOnce(String samplerName) {
        GaussianMixture2d model = new GaussianMixture2d();
        int draws = 50;
        int warmup = 20;
        try (SampleResult result = run(samplerName, model, CHAINS, draws, warmup, null, new TestRunContext(SEED, allocator))) {
            int iterations = warmup + draws;
            // Start-up evaluations, then per iteration: MH one density call; MALA a density and a gradient call;
            // HMC one gradient call per leapfrog step (10) and one density call.
            int expected = switch (samplerName) {
                case "mh" -> 1 + iterations;
                case "mala" -> 2 + 2 * iterations;
                case "hmc" -> 2 + 11 * iterations;
                default -> throw new IllegalArgumentException(samplerName);
            };
            assertEquals(expected, model.calls);
            assertEquals(CHAINS, model.maxRows);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mh", "mala", "hmc"})
    void sameSeedGivesTheSameSamplesAndAnotherSeedDoesNot(String samplerName) {
        try (SampleResult a = run(samplerName, new GaussianMixture2d(), 3, 200, 100, null, new TestRunContext(5, allocator));
                SampleResult b = run(samplerName, new GaussianMixture2d(), 3, 200, 100, null, new TestRunContext(5, allocator));
                SampleResult c = run(samplerName, new GaussianMixture2d(), 3, 200, 100, null, new TestRunContext(6, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray());
            assertEquals(metric(a, "step_size").value(), metric(b, "step_size").value());
            assertFalse(Arrays.equals(a.samples().toDoubleArray(), c.samples().toDoubleArray()));
        }
    }

    /**
     * MALA on a density of dequantized two-level data, independent N(mu_i, 0.15^2) per value: the samples are the
     * levels floor(2 x'), with P(level 1) = Phi((mu - 0.5) / 0.15): 0.977 for mu = 0.8, 0.159 for mu = 0.35.
     */
    @Test
    void onDequantizedTwoLevelDataTheSamplesAreLevels() {
        double[] mu = {0.8, 0.35};
        double s2 = 0.15 * 0.15;
        DataInfo info = new DataInfo("two-levels", new long[] {2}, DataInfo.DISCRETE, 0, null,
                new org.genbench.api.Dequantization(2, 0));
        TestEnergy gaussian = TestEnergy.gaussian(info, mu, s2);
        try (SampleResult r = new MalaSampler().sample(gaussian, new MalaSampler.Config(8, 1000, 300, 2, null,
                null, null), new TestRunContext(SEED, allocator))) {
            double[] x = r.samples().toDoubleArray();
            double[] ones = new double[2];
            for (int i = 0; i < x.length; i++) {
                assertTrue(x[i] == 0 || x[i] == 1, "a level: " + x[i]);
                ones[i % 2] += x[i] / (x.length / 2);
            }
            assertEquals(0.977, ones[0], 0.02);
            assertEquals(0.159, ones[1], 0.04);
        }
    }

    /**
     * On dequantized data the target is the density on [0, 1)^d: a linear energy E = a . x (finite everywhere) is a
     * product of truncated exponentials there, P(level 1) = (e^(-a/2) - e^(-a)) / (1 - e^(-a)): 0.1824 for a = 3,
     * 0.7311 for a = -2. Without the restriction the chains run off to -infinity / +infinity (levels 0 and 1 only).
     */
    @Test
    void onDequantizedDataProposalsOutsideTheCubeAreRejected() {
        double[] a = {3, -2};
        DataInfo info = new DataInfo("two-levels", new long[] {2}, DataInfo.DISCRETE, 0, null,
                new org.genbench.api.Dequantization(2, 0));
        TestEnergy linear = TestEnergy.linear(info, a);
        for (String name : List.of("mh", "mala", "hmc")) {
            try (SampleResult r = run(name, linear, 16, 1000, 300, 2, new TestRunContext(SEED, allocator))) {
                double[] x = r.samples().toDoubleArray();
                double[] ones = new double[2];
                for (int i = 0; i < x.length; i++) {
                    ones[i % 2] += x[i] / (x.length / 2);
                }
                System.out.printf("%s on the cube: P(level 1) %.4f, %.4f (exact 0.1824, 0.7311)%n", name, ones[0],
                        ones[1]);
                assertEquals(0.1824, ones[0], 0.04, name);
                assertEquals(0.7311, ones[1], 0.04, name);
                assertTrue(r.diagnostics().get(0).protocol().get("init").toString().contains("[0, 1)^d"), name);
            }
        }
    }

    @Test
    void thinningKeepsEveryThinthDrawOfTheSameChain() {
        try (SampleResult all = run("mala", new GaussianMixture2d(), 2, 300, 50, 1, new TestRunContext(8, allocator));
                SampleResult thinned = run("mala", new GaussianMixture2d(), 2, 100, 50, 3, new TestRunContext(8, allocator))) {
            double[] a = all.samples().toDoubleArray();
            double[] t = thinned.samples().toDoubleArray();
            for (int c = 0; c < 2; c++) {
                for (int k = 0; k < 100; k++) {
                    int from = (c * 300 + 3 * k + 2) * 2;
                    int to = (c * 100 + k) * 2;
                    assertEquals(a[from], t[to], "chain " + c + " draw " + k);
                    assertEquals(a[from + 1], t[to + 1]);
                }
            }
        }
    }

    @Test
    void aCancelledRunReturnsTheDrawsKeptSoFarChainMajor() {
        int warmup = 30;
        try (SampleResult full = run("hmc", new GaussianMixture2d(), CHAINS, 40, warmup, null, new TestRunContext(9, allocator));
                SampleResult cut = run("hmc", new GaussianMixture2d(), CHAINS, 40, warmup, null,
                        new TestRunContext(9, allocator).cancelAfterChecks(warmup + 10))) {
            assertArrayEquals(new long[] {CHAINS * 10, 2}, cut.samples().shape());
            double[] a = full.samples().toDoubleArray();
            double[] b = cut.samples().toDoubleArray();
            for (int c = 0; c < CHAINS; c++) {
                assertArrayEquals(Arrays.copyOfRange(a, c * 40 * 2, (c * 40 + 10) * 2),
                        Arrays.copyOfRange(b, c * 10 * 2, (c + 1) * 10 * 2), "chain " + c);
            }
            assertEquals(true, metric(cut, "split_rhat_max").protocol().get("cancelled"));
            assertEquals(10, metric(cut, "acceptance_rate").protocol().get("draws"));
        }
    }

    @Test
    void withoutAdaptationTheStepSizeStaysAsConfigured() {
        MhSampler.Config config = new MhSampler.Config(2, 100, 100, null, 0.37, false, null);
        try (SampleResult result = new MhSampler().sample(new GaussianMixture2d(), config, new TestRunContext(2, allocator))) {
            assertEquals(0.37, metric(result, "step_size").value());
            assertEquals(false, metric(result, "step_size").protocol().get("adapted"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mh", "mala", "hmc"})
    void chainsStartFromTheModelsOwnSamplesWhenItHasDirectSampling(String samplerName) {
        // A narrow target far from the origin: chains started from N(0, I) cannot reach it in 20 iterations
        // without warmup, chains started from the model's own draws are there from the first one.
        try (SampleResult fromModel = run(samplerName, new DirectFarGaussian(), CHAINS, 20, 0, null, new TestRunContext(3, allocator));
                SampleResult fromNoise = run(samplerName, new FarGaussian(), CHAINS, 20, 0, null, new TestRunContext(3, allocator))) {
            assertEquals(1.0, metric(fromModel, "init_from_model").value());
            assertEquals("DirectSampling", metric(fromModel, "acceptance_rate").protocol().get("init"));
            assertEquals(0.0, metric(fromNoise, "init_from_model").value());
            double[] near = fromModel.samples().toDoubleArray();
            double[] far = fromNoise.samples().toDoubleArray();
            for (int i = 0; i < near.length / 2; i++) {
                assertEquals(FarGaussian.CENTER[0], near[2 * i], 1.0);
                assertEquals(FarGaussian.CENTER[1], near[2 * i + 1], 1.0);
                assertTrue(Math.abs(far[2 * i] - FarGaussian.CENTER[0]) > 10, "row " + i + " reached the target from noise");
            }
        }
    }

    private static Set<Class<? extends Capability>> capabilitiesOf(Model model) {
        Set<Class<? extends Capability>> out = new HashSet<>();
        for (Class<?> i : model.getClass().getInterfaces()) {
            if (Capability.class.isAssignableFrom(i)) {
                out.add(i.asSubclass(Capability.class));
            }
        }
        return out;
    }

    @Test
    void requirementsNameWhatEachSamplerNeeds() {
        assertEquals("Energy or LogDensity", new MhSampler().requires().describe());
        assertEquals("Energy or LogDensity and Score", new MalaSampler().requires().describe());
        assertEquals("Energy", new HmcSampler().requires().describe());
        Model full = new GaussianMixture2d();
        Model energyOnly = new EnergyOnly(new GaussianMixture2d());
        Model densityAndScore = new DensityAndScore(new GaussianMixture2d());
        Model scoreOnly = new ScoreOnly(new GaussianMixture2d());
        Map<String, List<Model>> accepted = Map.of(
                "mh", List.of(full, energyOnly, densityAndScore),
                "mala", List.of(full, energyOnly, densityAndScore),
                "hmc", List.of(full, energyOnly));
        Map<String, List<Model>> refused = Map.of(
                "mh", List.of(scoreOnly),
                "mala", List.of(scoreOnly),
                "hmc", List.of(densityAndScore, scoreOnly));
        for (String name : List.of("mh", "mala", "hmc")) {
            Requirement requirement = sampler(name).requires();
            for (Model m : accepted.get(name)) {
                assertTrue(requirement.isSatisfiedBy(capabilitiesOf(m)), name + " should accept " + capabilitiesOf(m));
            }
            for (Model m : refused.get(name)) {
                assertFalse(requirement.isSatisfiedBy(capabilitiesOf(m)), name + " should refuse " + capabilitiesOf(m));
            }
        }
        assertFalse(new MalaSampler().requires().isSatisfiedBy(Set.of(LogDensity.class)));
        assertFalse(new MhSampler().requires().isSatisfiedBy(Set.of(DirectSampling.class)));
    }

    @Test
    void aModelWithoutTheCapabilityFailsCleanlyAndLeaksNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HmcSampler().sample(
                new DensityAndScore(new GaussianMixture2d()), new HmcSampler.Config(null, null, null, null, null, null,
                        null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().startsWith("this sampler needs a model with Energy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MalaSampler().sample(new ScoreOnly(new GaussianMixture2d()),
                new MalaSampler.Config(null, null, null, null, null, null, null), new TestRunContext(1, allocator)));
    }

    @Test
    void configsFillDefaultsAndRefuseBadValuesByName() {
        MhSampler.Config mh = new MhSampler.Config(null, null, null, null, null, null, null);
        assertEquals(List.of(4, 2000, 1000, 1, 1.0, true, 1.0),
                List.of(mh.chains(), mh.draws(), mh.warmup(), mh.thin(), mh.stepSize(), mh.adapt(), mh.initScale()));
        MalaSampler.Config mala = new MalaSampler.Config(null, null, null, null, null, null, null);
        assertEquals(0.5, mala.stepSize());
        HmcSampler.Config hmc = new HmcSampler.Config(null, null, null, null, null, null, null, null);
        assertEquals(List.of(0.2, 10), List.of(hmc.stepSize(), hmc.leapfrogSteps()));

        Map<String, Function<Void, Object>> bad = Map.of(
                "chains must be >= 1, was 0", v -> new MhSampler.Config(0, null, null, null, null, null, null),
                "draws must be >= 4, was 3", v -> new MalaSampler.Config(null, 3, null, null, null, null, null),
                "warmup must be >= 0, was -1", v -> new HmcSampler.Config(null, null, -1, null, null, null, null, null),
                "thin must be >= 1, was 0", v -> new MhSampler.Config(null, null, null, 0, null, null, null),
                "stepSize must be > 0 and finite, was -1.0", v -> new MalaSampler.Config(null, null, null, null, -1.0, null, null),
                "leapfrogSteps must be >= 1, was 0", v -> new HmcSampler.Config(null, null, null, null, null, 0, null, null),
                "initScale must be > 0 and finite, was NaN", v -> new MhSampler.Config(null, null, null, null, null, null, Double.NaN));
        Map<String, Function<Void, Object>> tooLarge = Map.of(
                "chains must be <= 10000 (every iteration steps every chain), was 10001",
                v -> new MhSampler.Config(10001, null, null, null, null, null, null),
                "draws gives warmup + draws * thin = 20001000 iterations per chain, more than 10000000 (hours of sampling even on"
                        + " 2-D data)", v -> new MalaSampler.Config(null, 20_000_000, null, null, null, null, null),
                "thin gives warmup + draws * thin = 8589935588 iterations per chain, more than 10000000 (hours of sampling even"
                        + " on 2-D data)", v -> new MalaSampler.Config(null, 4, null, Integer.MAX_VALUE, null, null, null),
                "warmup gives warmup + draws * thin = 1000002000 iterations per chain, more than 10000000 (hours of sampling"
                        + " even on 2-D data)", v -> new HmcSampler.Config(null, null, 1_000_000_000, null, null, null, null, null),
                "stepSize must be <= 10000 (in the data's units), was 100000.0",
                v -> new HmcSampler.Config(null, null, null, null, 1e5, null, null, null),
                "leapfrogSteps must be <= 1000 (gradient evaluations per iteration), was 1001",
                v -> new HmcSampler.Config(null, null, null, null, null, 1001, null, null));
        for (Map<String, Function<Void, Object>> cases : List.of(bad, tooLarge)) {
            for (Map.Entry<String, Function<Void, Object>> e : cases.entrySet()) {
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> e.getValue().apply(null));
                assertEquals(e.getKey(), thrown.getMessage());
            }
        }
    }

    @Test
    void componentsAreNamedAsSpecsCallThem() {
        assertEquals(List.of("mh", "mala", "hmc"),
                Stream.of(new MhSampler(), new MalaSampler(), new HmcSampler()).map(Sampler::name).collect(Collectors.toList()));
        assertEquals(MhSampler.Config.class, new MhSampler().configType());
        assertEquals(MalaSampler.Config.class, new MalaSampler().configType());
        assertEquals(HmcSampler.Config.class, new HmcSampler().configType());
    }

    /** N(CENTER, 0.1^2 I) as an energy. */
    private static class FarGaussian implements Model, Energy {
        static final double[] CENTER = {50.0, -30.0};
        static final double SD = 0.1;

        @Override
        public Tensor energy(Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows());
            for (int i = 0; i < x.rows(); i++) {
                double dx = (x.getDouble(2L * i) - CENTER[0]) / SD;
                double dy = (x.getDouble(2L * i + 1) - CENTER[1]) / SD;
                out.setDouble(i, 0.5 * (dx * dx + dy * dy));
            }
            return out;
        }

        @Override
        public Tensor energyGradient(Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows(), 2);
            for (int i = 0; i < 2 * x.rows(); i++) {
                out.setDouble(i, (x.getDouble(i) - CENTER[i % 2]) / (SD * SD));
            }
            return out;
        }

        @Override
        public DataInfo data() {
            return GaussianMixture2d.DATA;
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }

    /** The same target, able to draw from itself. */
    private static final class DirectFarGaussian extends FarGaussian implements DirectSampling {
        @Override
        public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
            Tensor t = Tensor.allocate(allocator, DType.FLOAT64, n, 2);
            for (int i = 0; i < 2 * n; i++) {
                t.setDouble(i, CENTER[i % 2] + SD * rng.nextGaussian());
            }
            return t;
        }
    }

    private static final class EnergyOnly implements Model, Energy {
        private final GaussianMixture2d m;

        EnergyOnly(GaussianMixture2d m) {
            this.m = m;
        }

        @Override
        public Tensor energy(Tensor x) {
            return m.energy(x);
        }

        @Override
        public Tensor energyGradient(Tensor x) {
            return m.energyGradient(x);
        }

        @Override
        public DataInfo data() {
            return m.data();
        }

        @Override
        public long parameterCount() {
            return m.parameterCount();
        }
    }

    private static final class DensityAndScore implements Model, LogDensity, Score {
        private final GaussianMixture2d m;

        DensityAndScore(GaussianMixture2d m) {
            this.m = m;
        }

        @Override
        public Tensor logDensity(Tensor x) {
            return m.logDensity(x);
        }

        @Override
        public Tensor score(Tensor x) {
            return m.score(x);
        }

        @Override
        public DataInfo data() {
            return m.data();
        }

        @Override
        public long parameterCount() {
            return m.parameterCount();
        }
    }

    private static final class ScoreOnly implements Model, Score {
        private final GaussianMixture2d m;

        ScoreOnly(GaussianMixture2d m) {
            this.m = m;
        }

        @Override
        public Tensor score(Tensor x) {
            return m.score(x);
        }

        @Override
        public DataInfo data() {
            return m.data();
        }

        @Override
        public long parameterCount() {
            return m.parameterCount();
        }
    }

    /**
     * The reference: R-hat below 1.01 for MALA on a known target, the free energy of a Gaussian-Bernoulli RBM
     * (a mixture of 8 Gaussians with exact moments), and its moments recovered; a binary RBM is refused.
     */
    @Test
    void malaOnAnRbmFreeEnergyConvergesToTheExactMixture() {
        org.genbench.testing.TestRbm rbm = new org.genbench.testing.TestRbm(2, 3, true, 0.6, 1.0, 3);
        try (SampleResult r = run("mala", rbm, 4, 4000, 1000, null, new TestRunContext(12, allocator))) {
            Map<String, Metric> d = r.diagnostics().stream().collect(Collectors.toMap(Metric::name, Function.identity()));
            assertTrue(d.get("split_rhat_max").value() < 1.01, "R-hat " + d.get("split_rhat_max").value());
            double[] x = r.samples().toDoubleArray();
            double[] mean = rbm.exactMean();
            double[] cov = rbm.exactCovariance();
            for (int i = 0; i < 2; i++) {
                double[][] chains = new double[4][4000];
                double s = 0;
                for (int c = 0; c < 4; c++) {
                    for (int k = 0; k < 4000; k++) {
                        chains[c][k] = x[(c * 4000 + k) * 2 + i];
                        s += chains[c][k] / 16000;
                    }
                }
                assertEquals(mean[i], s, 4 * Math.sqrt(cov[i * 3] / McmcDiagnostics.ess(chains)), "mean of x_" + i);
            }
        }
        org.genbench.testing.TestRbm binary = new org.genbench.testing.TestRbm(3, 2, false, 1, 1.0, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("mala", binary, 2, 10, 0, null, new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("binary data; sample a binary model with gibbs"), e.getMessage());
    }
}
