package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deep energy-based models in the real framework: an MLP energy on the eight-Gaussians toy, trained by the gradient
 * trainer with Langevin maximum likelihood (replay buffer) and with denoising score matching, sampled by langevin
 * and mala, scored by AIS (loglik kind ais) and diagnosed by mcmc.
 */
class EbmIT {
    static final String TOY = """
            {
              "name": "%s", "seed": 3,
              "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 2000, "test": 500 } },
              "model": { "type": "ebm", "config": %s },
              "trainer": { "type": "gradient", "config": { "steps": %d, "batchSize": 100, "learningRate": 0.003,
                           "checkpointEvery": 500, "evalExamples": 0 } },
              "samplers": [
                { "type": "langevin", "config": { "chains": 4, "draws": 500, "warmup": 200, "thin": 2, "stepSize": 0.01 } },
                { "type": "mala", "config": { "chains": 4, "draws": 500, "warmup": 200 } }
              ],
              "evaluators": [ { "type": "loglik", "config": { "aisDistributions": 500, "aisChains": 100 } },
                              { "type": "mcmc" } ]
            }
            """;

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

    @Test
    void anEnergyNetworkLearnsTheToyByBothObjectivesAndComposesWithLangevinMalaAisAndMcmc() throws Exception {
        for (String objective : List.of("langevin", "dsm")) {
            String name = "ebm-" + objective + "-it";
            String model = objective.equals("langevin")
                    ? "{ \"objective\": \"langevin\", \"hidden\": 64, \"bufferSize\": 2000 }"
                    : "{ \"objective\": \"dsm\", \"hidden\": 64, \"sigma\": 0.3 }";
            TestHost.Result r = host.exec("run", host.spec(name, TOY.formatted(name, model,
                    objective.equals("langevin") ? 1500 : 2000)).toString());
            assertEquals(0, r.status(), r::toString);
            Path run = host.runDir(name);
            JsonNode loglik = RbmIT.metricNode(run, "loglik", "test_loglik");
            assertEquals("ais", loglik.path("kind").asText(), loglik.toString());
            double ll = loglik.path("value").asDouble();
            System.out.printf("EbmIT %s: test log-likelihood %.3f nats by AIS (log Z %.3f +- %.3f); R-hat langevin %.3f,"
                    + " mala %.3f%n", objective, ll, TestHost.metric(run, "loglik", "test_ais_log_z"),
                    TestHost.metric(run, "loglik", "test_ais_log_z_se"), TestHost.metric(run, "mcmc", "langevin/rhat_max"),
                    TestHost.metric(run, "mcmc", "mala/rhat_max"));
            // One Gaussian fitted to the eight: about -4.3 nats; the data's own entropy is about -2.84 (DSM learns
            // the data smoothed by sigma = 0.3, whose entropy is about -3.3).
            assertTrue(ll > -4.0 && ll < -2.6, objective + ": test log-likelihood " + ll);
            assertTrue(Files.isRegularFile(run.resolve("outputs/langevin/trajectories.png")));
            assertTrue(Files.isRegularFile(run.resolve("samples.png")));
        }
    }

    /**
     * The image specs: a conv energy (Langevin ML) and an MLP energy (DSM) on binarized Fashion-MNIST declared as
     * two-level discrete data (fashion-mnist dequantize): both shipped specs pass the composer, and a small conv run
     * trains on x' = (b + u) / 2, is sampled by langevin (its samples are the levels 0 and 1), scored by AIS on the
     * dequantized test images (labelled ais, with the 2-level dequantization in its protocol) and evaluated by mcmc, fid
     * and forensics. A conv energy with dsm is refused naming the reason.
     */
    @Test
    void energyNetworksOnBinarizedFashionMnistComposeWithLoglikFidForensicsAndMcmc() throws Exception {
        for (String name : List.of("ebm-conv-fashion-mnist", "ebm-dsm-fashion-mnist")) {
            TestHost.Result r = host.exec("check", TestHost.HOME.resolve("workspace/experiments/" + name + ".json")
                    .toString());
            assertEquals(0, r.status(), name + ": " + r);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "needs dataset-fashion-mnist");
        String spec = """
                {
                  "name": "%s", "seed": 3,
                  "dataset": { "type": "fashion-mnist", "config": { "train": 500, "test": 100, "binarize": "threshold",
                               "dequantize": true } },
                  "model": { "type": "ebm", "config": { "objective": "%s", "network": "conv", "channels": 4,
                             "hidden": 16, "langevinSteps": 5, "stepSize": 1.0, "noiseScale": 0.01, "bufferSize": 200,
                             "initLow": 0.0, "initHigh": 1.0 } },
                  "trainer": { "type": "gradient", "config": { "steps": 20, "batchSize": 16, "learningRate": 0.0003,
                               "checkpointEvery": 0, "evalExamples": 0 } },
                  "samplers": [ { "type": "langevin", "config": { "chains": 10, "draws": 10, "warmup": 10, "thin": 2,
                                  "stepSize": 0.5, "noiseScale": 0.01 } } ],
                  "evaluators": [ { "type": "loglik", "config": { "aisDistributions": 50, "aisChains": 20 } },
                                  { "type": "mcmc" }, { "type": "fid", "config": { "samples": 100 } },
                                  { "type": "forensics", "config": { "train": 50, "test": 50, "self": "ebm" } } ]
                }
                """;
        TestHost.Result r = host.exec("run", host.spec("ebm-conv-it", spec.formatted("ebm-conv-it", "langevin"))
                .toString());
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("ebm-conv-it");
        JsonNode loglik = RbmIT.metricNode(run, "loglik", "test_loglik");
        assertEquals("ais", loglik.path("kind").asText(), loglik.toString());
        assertTrue(loglik.path("protocol").path("dequantization").asText().contains("(x + u) / 2,"), loglik.toString());
        assertTrue(Double.isFinite(loglik.path("value").asDouble()), loglik.toString());
        assertTrue(Double.isFinite(TestHost.metric(run, "fid", "langevin/fid")));
        assertTrue(Double.isFinite(TestHost.metric(run, "mcmc", "langevin/rhat_max")));
        assertTrue(Double.isFinite(TestHost.metric(run, "forensics", "ebm->ebm/accuracy")));
        for (double[] row : TestHost.rows(run.resolve("samples/langevin.arrow"))) {
            for (double v : row) {
                assertTrue(v == 0 || v == 1, "a sample value that is not a level: " + v);
            }
        }
        TestHost.Result refused = host.exec("check", host.spec("ebm-conv-dsm", spec.formatted("ebm-conv-dsm", "dsm"))
                .toString());
        assertTrue(refused.status() != 0, refused::toString);
        assertTrue(refused.err().contains("config.network: 'conv' needs objective 'langevin'"), refused.toString());
    }
}
