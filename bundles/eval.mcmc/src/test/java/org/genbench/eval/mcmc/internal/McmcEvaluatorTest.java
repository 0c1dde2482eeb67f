package org.genbench.eval.mcmc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Agreement with datasets/reference/mcmc_diagnostics.py, an independent numpy/scipy implementation of Vehtari et al.
 * (2021), on fixed chains (mcmc_diagnostics_reference.json).
 */
class McmcEvaluatorTest {
    // The two sides differ in summation order and in how autocovariances are formed (FFT there, direct sums here):
    // measured agreement is better than 1e-13 relative; 1e-8 leaves room for that and still catches any formula
    // difference, which moves these numbers in the third or fourth digit.
    private static final double REL_TOL = 1e-8;

    private BufferAllocator allocator;
    private final McmcEvaluator evaluator = new McmcEvaluator();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private static JsonNode reference() throws IOException {
        try (InputStream in = McmcEvaluatorTest.class.getResourceAsStream("/mcmc_diagnostics_reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<String> cases() throws IOException {
        List<String> names = new ArrayList<>();
        reference().get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names.stream();
    }

    private static Map<String, Metric> byName(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Function.identity()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rhatAndBulkEssMatchTheNumpyReference(String name) throws IOException {
        JsonNode c = null;
        for (JsonNode n : reference().get("cases")) {
            if (n.get("name").asText().equals(name)) {
                c = n;
            }
        }
        int chains = c.get("chains").asInt();
        int dims = c.get("dims").asInt();
        JsonNode rows = c.get("samples");
        Tensor x = Tensor.allocate(allocator, DType.FLOAT64, rows.size(), dims);
        for (int i = 0; i < rows.size(); i++) {
            for (int d = 0; d < dims; d++) {
                x.setDouble((long) i * dims + d, rows.get(i).get(d).asDouble());
            }
        }
        try (SampleResult result = new SampleResult(x, chains, List.of())) {
            Map<String, Metric> m = byName(evaluator.evaluate(null, null, Map.of("mh", result),
                    new McmcEvaluator.Config(null, null), new TestRunContext(1, allocator)));
            double rhatMax = Double.NEGATIVE_INFINITY;
            double essMin = Double.POSITIVE_INFINITY;
            for (int d = 0; d < dims; d++) {
                double rhat = c.get("rhat").get(d).asDouble();
                double ess = c.get("essBulk").get(d).asDouble();
                assertEquals(rhat, m.get("mh/rhat[" + d + "]").value(), REL_TOL * rhat, name + " rhat[" + d + "]");
                assertEquals(ess, m.get("mh/ess_bulk[" + d + "]").value(), REL_TOL * ess, name + " ess_bulk[" + d + "]");
                rhatMax = Math.max(rhatMax, rhat);
                essMin = Math.min(essMin, ess);
            }
            assertEquals(rhatMax, m.get("mh/rhat_max").value(), REL_TOL * rhatMax);
            assertEquals(essMin, m.get("mh/ess_bulk_min").value(), REL_TOL * essMin);
            Metric rhat = m.get("mh/rhat_max");
            assertEquals("mcmc", rhat.kind());
            assertEquals(chains, rhat.protocol().get("chains"));
            assertEquals((long) rows.size() / chains, rhat.protocol().get("draws_per_chain"));
            assertEquals(McmcEvaluator.METHOD_RHAT, rhat.protocol().get("method"));
        }
    }

    @Test
    void theFixtureExercisesBothConvergedAndUnconvergedChains() throws IOException {
        // Guards the fixture itself: agreement on chains that all look alike would prove little.
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        for (JsonNode c : reference().get("cases")) {
            for (JsonNode r : c.get("rhat")) {
                lowest = Math.min(lowest, r.asDouble());
                highest = Math.max(highest, r.asDouble());
            }
        }
        assertTrue(lowest < 1.01 && highest > 1.2, "rhat range " + lowest + ".." + highest);
    }

    /** chains x draws x dims, chain-major; chain c of a random walk that accepts with probability p. */
    private Tensor stickyChains(int chains, int draws, int dims, double p, double shiftChain0, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, (long) chains * draws, dims);
        for (int c = 0; c < chains; c++) {
            double[] state = new double[dims];
            for (int i = 0; i < draws; i++) {
                if (rng.nextDouble() < p) {
                    for (int d = 0; d < dims; d++) {
                        state[d] = 0.5 * state[d] + rng.nextGaussian() + (c == 0 ? shiftChain0 : 0);
                    }
                }
                for (int d = 0; d < dims; d++) {
                    x.setDouble(((long) c * draws + i) * dims + d, (float) state[d]);
                }
            }
        }
        return x;
    }

    @Test
    void perSamplerMetricsUseTheSamplersOwnAcceptanceAndSkipSingleChains() throws IOException {
        Map<String, SampleResult> samples = new LinkedHashMap<>();
        try (SampleResult hmc = new SampleResult(stickyChains(4, 300, 2, 0.8, 0, 2), 4,
                List.of(new Metric("acceptance_rate", 0.77, "mcmc", Map.of())));
             SampleResult mh = new SampleResult(stickyChains(4, 300, 2, 0.3, 3.0, 3), 4, List.of());
             SampleResult ancestral = new SampleResult(stickyChains(1, 100, 2, 1, 0, 4), 1, List.of())) {
            samples.put("hmc", hmc);
            samples.put("mh", mh);
            samples.put("ancestral", ancestral);
            TestRunContext context = new TestRunContext(5, allocator);
            Map<String, Metric> m = byName(evaluator.evaluate(null, null, samples, new McmcEvaluator.Config(1, 1.05),
                    context));
            assertEquals(0.77, m.get("hmc/acceptance_rate").value(), 0);
            assertEquals("sampler diagnostics", m.get("hmc/acceptance_rate").protocol().get("source"));
            // Without the sampler's own count, the share of moves between stored draws: ~0.3 by construction
            // (binomial sd over 4 x 299 steps ~0.013; 4 sd).
            assertEquals(0.3, m.get("mh/acceptance_rate").value(), 0.055);
            assertTrue(((String) m.get("mh/acceptance_rate").protocol().get("source")).startsWith("estimated"));
            assertTrue(m.get("mh/rhat_max").value() > 1.5, "chain 0 sits elsewhere: " + m.get("mh/rhat_max"));
            assertEquals(2.0, m.get("mh/rhat_above_threshold").value(), "both dimensions are off");
            assertTrue(m.get("hmc/rhat_max").value() < 1.05, m.get("hmc/rhat_max").toString());
            assertTrue(m.keySet().stream().noneMatch(k -> k.startsWith("ancestral/")), m.keySet().toString());
            assertTrue(m.containsKey("hmc/rhat[0]") && !m.containsKey("hmc/rhat[1]"), "perDimension=1: " + m.keySet());
            List<String> table = Files.readAllLines(context.outputDirectory().resolve("mh.csv"));
            assertEquals("dimension,rhat,ess_bulk", table.get(0));
            assertEquals(3, table.size());
            assertEquals(m.get("mh/rhat[0]").value(), Double.parseDouble(table.get(1).split(",")[1]), 0);
            assertEquals(1.0, context.lastDone / (double) context.lastTotal);
        }
    }

    @Test
    void aStuckChainMakesTheSummaryNaNNotAGoodNumber() {
        try (SampleResult stuck = new SampleResult(stickyChains(3, 50, 1, 0, 0, 6), 3, List.of())) {
            Map<String, Metric> m = byName(evaluator.evaluate(null, null, Map.of("mh", stuck),
                    new McmcEvaluator.Config(null, null), new TestRunContext(7, allocator)));
            assertTrue(Double.isNaN(m.get("mh/rhat_max").value()));
            assertTrue(Double.isNaN(m.get("mh/ess_bulk_min").value()));
            assertEquals(0.0, m.get("mh/acceptance_rate").value());
            assertEquals(1.0, m.get("mh/rhat_above_threshold").value(), "NaN counts as not converged");
        }
    }

    @Test
    void tooFewDrawsFailWithTheSamplersName() {
        try (SampleResult tiny = new SampleResult(stickyChains(2, 3, 1, 1, 0, 8), 2, List.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(null,
                    null, Map.of("mala", tiny), new McmcEvaluator.Config(null, null), new TestRunContext(9, allocator)));
            assertTrue(e.getMessage().contains("'mala'") && e.getMessage().contains("at least 4"), e.getMessage());
        }
    }

    @Test
    void configDefaultsAndValidation() {
        McmcEvaluator.Config c = new McmcEvaluator.Config(null, null);
        assertEquals(16, c.perDimension());
        assertEquals(1.01, c.rhatThreshold());
        assertEquals("perDimension must be in 0..10000, was -1",
                assertThrows(IllegalArgumentException.class, () -> new McmcEvaluator.Config(-1, null)).getMessage());
        assertEquals("rhatThreshold must be in (1, 10), was 1.0",
                assertThrows(IllegalArgumentException.class, () -> new McmcEvaluator.Config(null, 1.0)).getMessage());
        assertEquals("mcmc", evaluator.name());
        assertEquals("nothing", evaluator.requires().describe());
        assertFalse(evaluator.description().isBlank());
    }
}
