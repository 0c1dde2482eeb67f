package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eval feature in the real framework: MCMC diagnostics of a sampler's chains from the eval.mcmc bundle, AIS
 * on an energy next to the exact likelihood, and {@code compare} over two seeds of one spec. The diagnostics are
 * checked against datasets/reference/mcmc_diagnostics.py (numpy and scipy, written from the paper independently of
 * the Java code) run on the samples the run wrote.
 */
class EvaluatorsIT {
    @TempDir
    static Path workspace;
    static TestHost host;
    static TestHost.Result first;
    static TestHost.Result second;

    static final String SPEC = """
            {
              "name": "evaluators", "seed": %d,
              "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 1000, "test": 300 } },
              "model": { "type": "gmm", "config": { "components": 8 } },
              "trainer": { "type": "em", "config": { "maxIterations": 60 } },
              "samplers": [ { "type": "hmc", "config": { "chains": 4, "draws": 200, "warmup": 150 } } ],
              "evaluators": [
                { "type": "loglik" },
                { "type": "loglik", "id": "loglik-ais", "config": { "estimator": "ais", "aisDistributions": 300, "aisChains": 100 } },
                { "type": "mcmc" }
              ]
            }
            """;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace, List.of("core", "classic", "eval"));
        host.spec("seed1", SPEC.formatted(1));
        host.spec("seed2", SPEC.formatted(2));
        first = host.exec("run", "seed1.json");
        second = host.exec("run", "seed2.json");
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    static List<Path> runs() throws Exception {
        try (var dirs = Files.list(workspace.resolve("runs"))) {
            return dirs.sorted().toList();
        }
    }

    @Test
    void mcmcDiagnosticsMatchTheReferenceScriptOnTheRunsSamples() throws Exception {
        assertEquals(0, first.status(), first::toString);
        Required.python("apt-get install python3-numpy python3-scipy", "numpy", "scipy");
        Path run = runs().get(0);
        Path npy = workspace.resolve("hmc-samples.npy");
        TestHost.writeNpy(npy, TestHost.rows(run.resolve("samples/hmc.arrow")));
        JsonNode ref = TestHost.reference("mcmc_diagnostics.py", npy.toString(), "4");
        assertEquals(200, ref.path("draws").asInt());

        // Every dimension of the evaluator's table, and the worst values it reports as metrics.
        List<String> table = Files.readAllLines(run.resolve("outputs/mcmc/hmc.csv"));
        assertEquals(1 + ref.path("rhat").size(), table.size(), "one row per dimension");
        double rhatMax = 0;
        double essMin = Double.POSITIVE_INFINITY;
        for (int d = 0; d < ref.path("rhat").size(); d++) {
            String[] row = table.get(d + 1).split(",");
            double rhat = ref.path("rhat").get(d).asDouble();
            double ess = ref.path("essBulk").get(d).asDouble();
            assertEquals(rhat, Double.parseDouble(row[1]), 1e-9 * rhat, "R-hat of dimension " + d);
            assertEquals(ess, Double.parseDouble(row[2]), 1e-9 * ess, "bulk ESS of dimension " + d);
            rhatMax = Math.max(rhatMax, rhat);
            essMin = Math.min(essMin, ess);
        }
        assertEquals(rhatMax, TestHost.metric(run, "mcmc", "hmc/rhat_max"), 1e-9 * rhatMax);
        assertEquals(essMin, TestHost.metric(run, "mcmc", "hmc/ess_bulk_min"), 1e-9 * essMin);
        // The sampler counts accepted proposals; a rejection repeats the state, so the share of stored draws that
        // moved is the same rate, up to the one transition per chain (into the first kept draw) the draws do not show.
        double acceptance = TestHost.metric(run, "mcmc", "hmc/acceptance_rate");
        assertEquals(ref.path("acceptance").asDouble(), acceptance, 1.5 / 200, "acceptance vs moves in the draws");
    }

    @Test
    void aisOnTheGmmEnergyAgreesWithTheExactLikelihood() throws Exception {
        Path run = runs().get(0);
        double exact = TestHost.metric(run, "loglik", "test_loglik");
        double ais = TestHost.metric(run, "loglik-ais", "test_loglik");
        double se = TestHost.metric(run, "loglik-ais", "test_ais_log_z_se");
        assertTrue(se > 0 && Math.abs(ais - exact) < 3 * se, "exact " + exact + ", ais " + ais + " +- " + se);
    }

    @Test
    void compareShowsBothSeedsAndTheirMean() throws Exception {
        assertEquals(0, second.status(), second::toString);
        List<Path> runs = runs();
        TestHost.Result cmp = host.exec("compare", runs.get(0).getFileName().toString(), runs.get(1).toString());
        assertEquals(0, cmp.status(), cmp::toString);
        assertTrue(cmp.out().contains("evaluators [#1,#2] mean ± sd (n=2)"), cmp.out());
        String row = cmp.out().lines().filter(l -> l.startsWith("loglik/test_loglik ")).findFirst().orElseThrow();
        double a = TestHost.metric(runs.get(0), "loglik", "test_loglik");
        double b = TestHost.metric(runs.get(1), "loglik", "test_loglik");
        assertTrue(row.contains(String.format(java.util.Locale.ROOT, "%.4f ± %.4f", (a + b) / 2,
                Math.abs(a - b) / Math.sqrt(2))), row);
        assertTrue(cmp.out().lines().anyMatch(l -> l.startsWith("mcmc/hmc/rhat_max ")), cmp.out());
        TestHost.Result unknown = host.exec("compare", "no-such-run");
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().contains("no run 'no-such-run'"), unknown.toString());
    }
}
