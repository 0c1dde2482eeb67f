package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact-likelihood families in the real framework (features core, classic, deep) with the gradient trainer, the
 * samplers their capabilities allow and the likelihood evaluator: on a 2-D toy whose density is known, each learns
 * and is scored beside the truth; a flow stopped after a checkpoint resumes to the numbers of an uninterrupted run;
 * on 8-bit Fashion-MNIST (needs Debian's dataset-fashion-mnist) a PixelCNN's exact discrete log-likelihood comes out
 * the same from the trainer (levels) and from the evaluator (dequantized inputs, -D ln 256), and a flow reports
 * bits/dim on the 8-bit scale. Small nets and few steps: the long runs are bench/flows_vs_torch.sh.
 */
class ExactLikelihoodIT {
    static final String TOY = """
            {
              "name": "%s", "seed": 11,
              "dataset": { "type": "toy", "config": { "shape": "two-moons", "train": 4000, "test": 500 } },
              "model": { "type": "%s", "config": %s },
              "trainer": { "type": "gradient", "config": { "steps": 300, "batchSize": 128, "learningRate": 0.003,
                           "checkpointEvery": 100, "evalExamples": 500 %s } },
              "samplers": %s,
              "evaluators": [ { "type": "loglik" } ]
            }
            """;
    static final String ANCESTRAL = "[ { \"type\": \"ancestral\", \"config\": { \"samples\": 500 } } ]";

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace, List.of("core", "classic", "deep"));
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    private static Path runToy(String name, String family, String config, String trainerExtra, String samplers)
            throws Exception {
        host.spec(name, TOY.formatted(name, family, config, trainerExtra, samplers));
        TestHost.Result r = host.exec("run", name + ".json");
        assertEquals(0, r.status(), r::toString);
        return host.runDir(name);
    }

    /**
     * Each family learns the two moons in 300 steps (its held-out log-likelihood rises by more than half a nat and
     * comes within 0.6 nats of the truth's), the trainer's exact score on the whole test set equals the evaluator's,
     * and the run draws the learned density beside the true one.
     */
    @Test
    void flowsAndMadeLearnATwoDimensionalDensityScoredBesideTheTruth() throws Exception {
        String[][] families = {
            {"realnvp", "{ \"couplings\": 6, \"hidden\": 32, \"layers\": 2 }", ANCESTRAL},
            {"maf", "{ \"layers\": 4, \"hidden\": 64 }", ANCESTRAL},
            {"made", "{ \"hidden\": 64, \"components\": 5 }",
                "[ { \"type\": \"autoregressive\", \"config\": { \"samples\": 500, \"batchSize\": 250 } } ]"},
        };
        for (String[] f : families) {
            Path run = runToy("toy-" + f[0], f[0], f[1], "", f[2]);
            double initial = TestHost.metric(run, "gradient", "test_loglik_initial");
            double trained = TestHost.metric(run, "gradient", "test_loglik");
            double evaluated = TestHost.metric(run, "loglik", "test_loglik");
            double truth = TestHost.metric(run, "loglik", "test_true_loglik");
            double gap = TestHost.metric(run, "loglik", "test_loglik_gap");
            System.out.printf("ExactLikelihoodIT %s: test log-likelihood %.3f at step 0, %.3f after 300 steps;"
                    + " the true density's %.3f (gap %.3f nats)%n", f[0], initial, trained, truth, gap);
            assertTrue(trained > initial + 0.5, f[0] + ": " + initial + " -> " + trained);
            assertEquals(trained, evaluated, 1e-6, f[0] + ": the trainer and the evaluator score the same 500 points");
            assertEquals(truth - evaluated, gap, 1e-9);
            assertTrue(gap > -0.05 && gap < 0.6, f[0] + ": gap to the true density " + gap);
            JsonNode metric = metricNode(run, "loglik", "test_loglik");
            assertEquals("exact", metric.path("kind").asText());
            assertEquals("none", metric.path("protocol").path("dequantization").asText());
            BufferedImage density = ImageIO.read(run.resolve("density.png").toFile());
            assertTrue(density.getWidth() >= 700, "learned and true panels side by side");
            assertTrue(Files.isRegularFile(run.resolve("bits_per_dim.png")));
            assertTrue(Files.isRegularFile(run.resolve("samples.png")));
        }
    }

    /** Stopped after its checkpoint at step 100 (ActNorm's data initialization and Adam's moments in it), resumed. */
    @Test
    void aFlowStoppedAfterACheckpointResumesToTheNumbersOfAnUninterruptedRun() throws Exception {
        String config = "{ \"couplings\": 4, \"hidden\": 16, \"layers\": 1 }";
        Path whole = runToy("resume-whole", "realnvp", config, "", ANCESTRAL);
        host.spec("resume-stopped", TOY.formatted("resume-stopped", "realnvp", config, ", \"stepsPerInvocation\": 150",
                ANCESTRAL));
        TestHost.Result first = host.exec("run", "resume-stopped.json");
        assertNotEquals(0, first.status(), first::toString);
        Path run = host.runDir("resume-stopped");
        TestHost.deleteTree(run.resolve("checkpoints/step-150"));
        TestHost.Result again = host.exec("resume", run.getFileName().toString());
        assertNotEquals(0, again.status(), again::toString);
        TestHost.Result done = host.exec("resume", run.getFileName().toString());
        assertEquals(0, done.status(), done::toString);
        assertEquals(TestHost.read(whole.resolve("metrics.json")).path("metrics"),
                TestHost.read(run.resolve("metrics.json")).path("metrics"));
        assertEquals(-1, Files.mismatch(whole.resolve("samples/ancestral.arrow"), run.resolve("samples/ancestral.arrow")));
    }

    /**
     * 8-bit Fashion-MNIST: the PixelCNN's discrete log-likelihood of the test images is exact, so the trainer (on
     * levels) and the evaluator (on dequantized values, its density P L^D less D ln 256) agree to rounding, and it
     * beats the 8 bits/dim of a uniform distribution; the autoregressive sampler draws 0..255 levels. A RealNVP on
     * the same data through the logit pre-transform reports bits/dim on the same 8-bit scale.
     */
    @Test
    void onEightBitImagesPixelCnnAndRealNvpReportBitsPerDimOnTheEightBitScale() throws Exception {
        Required.fashionMnist();
        String data = "\"dataset\": { \"type\": \"fashion-mnist\", \"config\": { \"train\": 500, \"test\": 50,"
                + " \"pixels\": \"8bit\", \"logitAlpha\": 1e-6 } }";
        host.spec("pixelcnn-8bit", """
                { "name": "pixelcnn-8bit", "seed": 3, %s,
                  "model": { "type": "pixelcnn", "config": { "channels": 4, "blocks": 1, "kernel": 5, "headChannels": 16 } },
                  "trainer": { "type": "gradient", "config": { "steps": 30, "batchSize": 16, "learningRate": 0.005,
                               "checkpointEvery": 0, "evalExamples": 50 } },
                  "samplers": [ { "type": "autoregressive", "config": { "samples": 3 } } ],
                  "evaluators": [ { "type": "loglik" } ] }
                """.formatted(data));
        TestHost.Result r = host.exec("run", "pixelcnn-8bit.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("pixelcnn-8bit");
        double trainer = TestHost.metric(run, "gradient", "test_bits_per_dim");
        double evaluator = TestHost.metric(run, "loglik", "test_bits_per_dim");
        System.out.printf("ExactLikelihoodIT pixelcnn: %.4f bits/dim (trainer), %.4f (evaluator)%n", trainer, evaluator);
        assertEquals(trainer, evaluator, 1e-6, "log P is exact whatever the dequantization noise");
        assertTrue(evaluator < 7.5 && evaluator > 0.5, "bits/dim " + evaluator);
        JsonNode protocol = metricNode(run, "loglik", "test_bits_per_dim").path("protocol");
        assertTrue(protocol.path("dequantization").asText().startsWith("uniform: x' = (x + u) / 256"), protocol.toString());
        assertTrue(Files.isRegularFile(run.resolve("samples.png")));

        host.spec("realnvp-8bit", """
                { "name": "realnvp-8bit", "seed": 3, %s,
                  "model": { "type": "realnvp", "config": { "scales": 2, "channels": 4, "blocks": 1 } },
                  "trainer": { "type": "gradient", "config": { "steps": 20, "batchSize": 16, "learningRate": 0.001,
                               "checkpointEvery": 0, "evalExamples": 50 } },
                  "samplers": [ { "type": "ancestral", "config": { "samples": 20 } } ],
                  "evaluators": [ { "type": "loglik" } ] }
                """.formatted(data));
        TestHost.Result f = host.exec("run", "realnvp-8bit.json");
        assertEquals(0, f.status(), f::toString);
        Path flow = host.runDir("realnvp-8bit");
        double bits = TestHost.metric(flow, "loglik", "test_bits_per_dim");
        double initial = TestHost.metric(flow, "gradient", "test_loglik_initial");
        double trained = TestHost.metric(flow, "gradient", "test_loglik");
        System.out.printf("ExactLikelihoodIT realnvp 8-bit: %.4f bits/dim after 20 steps%n", bits);
        assertTrue(trained > initial, initial + " -> " + trained);
        assertTrue(bits > 1 && bits < 12, "bits/dim " + bits);
        assertTrue(metricNode(flow, "loglik", "test_loglik").path("protocol").path("dequantization").asText()
                .contains("logit(1.0E-6"));
    }

    static JsonNode metricNode(Path run, String component, String name) throws Exception {
        for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + component + "/" + name + " in " + run);
    }
}
