package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diffusion and score models in the real framework (features core, classic, deep, eval): a DDPM and an NCSN trained on
 * the eight-Gaussians toy by the gradient trainer, each sampled by several samplers from the spec and scored by their
 * distances to held-out points (MMD and energy distance); and a conditional DDPM on a Fashion-MNIST subset composed with fid, forensics
 * and loglik (skipped without Debian's dataset-fashion-mnist).
 */
class DiffusionIT {
    /**
     * Loose bars: these runs check the wiring (spec, trainer, samplers, evaluators, pictures) with models trained for
     * seconds; the reference the trained toy models meet is {@link DiffusionToyBenchmarkIT} (MMD near the floor). On
     * eight-Gaussians (datasets/reference/toy_distances.py, 1000 points): two real sets are 0.04-0.05 apart in MMD and
     * 0.05-0.12 in energy distance; the ring without its modes 0.12 and 0.12; one mode missing 0.11 and 0.27. An
     * untrained network, or a sampler with a sign or scale wrong, lands far above both bars.
     */
    static final double MMD_BAR = 0.16;
    static final double ENERGY_BAR = 0.3;

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace, List.of("core", "classic", "deep", "eval"));
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    static void assertNearTheData(Path run, String name, List<String> samplers) throws Exception {
        double floor = TestHost.metric(run, "sample-distance", "floor/mmd");
        for (String s : samplers) {
            double mmd = TestHost.metric(run, "sample-distance", s + "/mmd");
            double energy = TestHost.metric(run, "sample-distance", s + "/energy_distance");
            System.out.printf("DiffusionIT %s: %s MMD %.4f (floor %.4f), energy distance %.4f%n", name, s, mmd, floor, energy);
            assertTrue(mmd < MMD_BAR, s + ": MMD " + mmd + " (floor " + floor + ")");
            assertTrue(energy < ENERGY_BAR, s + ": energy distance " + energy);
        }
        assertTrue(floor < MMD_BAR, "two real sets: MMD " + floor);
    }

    /**
     * A DDPM with ancestral, DDIM (10 and 50 steps) and predictor-corrector samplers swapped in by the spec: each
     * sample set is within the bars of held-out data, the bound is reported as a bound, and the run draws the distances
     * against the steps and the DDPM sampler's trajectory.
     */
    @Test
    void aDdpmOnATwoDimensionalToyWithFourSamplers() throws Exception {
        host.spec("ddpm-toy-it", """
                {
                  "name": "ddpm-toy-it", "seed": 7,
                  "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 4000, "test": 1000 } },
                  "model": { "type": "ddpm", "config": { "hidden": 64, "layers": 3, "timeDim": 32, "timesteps": 200,
                             "emaDecay": 0.99 } },
                  "trainer": { "type": "gradient", "config": { "steps": 1500, "batchSize": 128, "learningRate": 0.003,
                               "checkpointEvery": 500, "evalExamples": 200 } },
                  "samplers": [
                    { "type": "ddpm", "config": { "samples": 1000, "trajectory": 200, "frames": 5 } },
                    { "id": "ddim-10", "type": "ddim", "config": { "samples": 1000, "steps": 10 } },
                    { "id": "ddim-50", "type": "ddim", "config": { "samples": 1000, "steps": 50 } },
                    { "id": "pc", "type": "predictor-corrector", "config": { "samples": 1000, "steps": 50 } }
                  ],
                  "evaluators": [ { "type": "sample-distance", "config": { "samples": 1000 } },
                                  { "type": "loglik", "config": { "batchSize": 500 } } ]
                }
                """);
        TestHost.Result r = host.exec("run", "ddpm-toy-it.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("ddpm-toy-it");
        assertNearTheData(run, "ddpm-toy", List.of("ddpm", "ddim-10", "ddim-50", "pc"));
        JsonNode loglik = find(run, "loglik", "test_loglik");
        assertEquals("bound", loglik.path("kind").asText());
        assertTrue(loglik.path("protocol").path("estimator").asText().startsWith("ddpm-vlb"), loglik.toString());
        assertTrue(Double.isFinite(loglik.path("value").asDouble()));
        assertEquals(200, TestHost.metric(run, "ddpm", "sampling_steps"));
        assertTrue(Files.size(run.resolve("mmd-vs-steps.png")) > 1000);
        assertTrue(Files.isRegularFile(run.resolve("outputs/ddpm/trajectory.arrow")));
        assertTrue(Files.isRegularFile(run.resolve("outputs/ddpm/trajectory.png")));
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/model.safetensors")));
    }

    /** An NCSN sampled by annealed Langevin dynamics and by predictor-corrector. */
    @Test
    void anNcsnOnATwoDimensionalToy() throws Exception {
        host.spec("ncsn-toy-it", """
                {
                  "name": "ncsn-toy-it", "seed": 7,
                  "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 4000, "test": 1000 } },
                  "model": { "type": "ncsn", "config": { "hidden": 64, "layers": 3, "timeDim": 32, "sigmaMax": 6.0,
                             "levels": 30, "emaDecay": 0.99 } },
                  "trainer": { "type": "gradient", "config": { "steps": 1500, "batchSize": 128, "learningRate": 0.003,
                               "checkpointEvery": 500, "evalExamples": 0 } },
                  "samplers": [
                    { "id": "langevin", "type": "annealed-langevin", "config": { "samples": 1000, "stepsPerLevel": 30 } },
                    { "id": "pc", "type": "predictor-corrector", "config": { "samples": 1000 } }
                  ],
                  "evaluators": [ { "type": "sample-distance", "config": { "samples": 1000 } } ]
                }
                """);
        TestHost.Result r = host.exec("run", "ncsn-toy-it.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("ncsn-toy-it");
        assertNearTheData(run, "ncsn-toy", List.of("langevin", "pc"));
    }

    /**
     * A few steps of a tiny conditional U-Net DDPM on 8-bit Fashion-MNIST (the pixels 0..255, as the shipped specs): the
     * spec composes with fid, forensics and loglik (the bound, labelled as one, in bits/dim on the 8-bit scale), the
     * samples are the integers 0..255, the run draws them per class with the model's own guided DDIM, and a sampler
     * that needs a score model is refused by name.
     */
    @Test
    void aConditionalDdpmOnFashionMnistComposesWithTheEvaluators() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "needs dataset-fashion-mnist");
        host.spec("cddpm-it", """
                {
                  "name": "cddpm-it", "seed": 3,
                  "dataset": { "type": "fashion-mnist", "config": { "train": 2000, "test": 100, "pixels": "8bit" } },
                  "model": { "type": "ddpm", "config": { "channels": 8, "mults": [1, 2], "timesteps": 100,
                             "conditional": true, "boundTerms": 4, "sampleSteps": 4, "guidance": 1.0 } },
                  "trainer": { "type": "gradient", "config": { "steps": 30, "batchSize": 16, "evalExamples": 0,
                               "checkpointEvery": 0 } },
                  "samplers": [ { "id": "ddim-5", "type": "ddim", "config": { "samples": 60, "steps": 5, "guidance": 1.0 } } ],
                  "evaluators": [ { "type": "fid", "config": { "samples": 60 } },
                                  { "type": "forensics", "config": { "train": 30, "test": 20, "self": "ddpm" } },
                                  { "type": "loglik", "config": { "batchSize": 50 } } ]
                }
                """);
        TestHost.Result r = host.exec("run", "cddpm-it.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("cddpm-it");
        double[][] samples = TestHost.rows(run.resolve("samples/ddim-5.arrow"));
        assertEquals(60, samples.length);
        double max = 0;
        for (double[] row : samples) {
            for (double v : row) {
                assertTrue(v >= 0 && v <= 255 && v == Math.rint(v), "an 8-bit sample value: " + v);
                max = Math.max(max, v);
            }
        }
        assertTrue(max > 1, "samples on the 0..255 scale, the largest was " + max);
        double fid = TestHost.metric(run, "fid", "ddim-5/fid");
        assertTrue(Double.isFinite(fid) && fid > 0, "FID " + fid);
        double accuracy = TestHost.metric(run, "forensics", "ddpm->ddpm/accuracy");
        assertTrue(accuracy >= 0 && accuracy <= 1, "forensics accuracy " + accuracy);
        assertEquals("bound", find(run, "loglik", "test_loglik").path("kind").asText());
        // A bound on log P(k) of 8-bit values: bits/dim >= 0 (a probability is at most 1); 30 steps stay near the 8
        // of a uniform guess, far from the density-scale figure 8 lower.
        double bpd = TestHost.metric(run, "loglik", "test_bits_per_dim");
        assertTrue(bpd > 3 && bpd < 16, "bits/dim of the bound: " + bpd);
        assertTrue(Files.size(run.resolve("samples.png")) > 1000);

        host.spec("ddpm-langevin", """
                {
                  "name": "ddpm-langevin", "seed": 3,
                  "dataset": { "type": "toy", "config": { "shape": "two-moons" } },
                  "model": { "type": "ddpm" }, "trainer": { "type": "gradient" },
                  "samplers": [ { "type": "annealed-langevin" } ]
                }
                """);
        TestHost.Result refused = host.exec("check", "ddpm-langevin.json");
        assertTrue(refused.status() != 0);
        assertTrue(refused.err().contains("needs NoiseConditionalScore") && refused.err().contains("ncsn"), refused.toString());
    }

    static JsonNode find(Path run, String component, String name) throws Exception {
        for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + component + "/" + name);
    }
}
