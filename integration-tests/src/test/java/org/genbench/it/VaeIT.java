package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VAE on Fashion-MNIST in the real framework (features core, classic, deep): it learns, well beyond independent
 * pixels, and a run stopped after a checkpoint resumes to exactly the numbers of an uninterrupted one. Needs
 * Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
 */
class VaeIT {
    static final int TRAIN = 2000;
    static final int TEST = 500;
    static final String SPEC = """
            {
              "name": "%s", "seed": 7,
              "dataset": { "type": "fashion-mnist", "config": { "train": %d, "test": %d, "binarize": "threshold" } },
              "model": { "type": "vae", "config": { "hidden": 200, "latent": 8 } },
              "trainer": { "type": "variational", "config": { "steps": 400, "batchSize": 100, "learningRate": 0.002,
                           "warmupSteps": 100, "checkpointEvery": 100, "evalExamples": 500 %s } },
              "samplers": [ { "type": "ancestral", "config": { "samples": 100 } } ],
              "evaluators": [ { "type": "loglik" } ]
            }
            """;

    @TempDir
    static Path workspace;
    static TestHost host;
    static TestHost.Result whole;

    @BeforeAll
    static void boot() throws Exception {
        Required.fashionMnist();
        host = new TestHost(workspace, List.of("core", "classic", "deep"));
        host.spec("vae-whole", SPEC.formatted("vae-whole", TRAIN, TEST, ""));
        whole = host.exec("run", "vae-whole.json");
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void theVaeLearnsFarBeyondItsStartAndBeyondIndependentPixels() throws Exception {
        assertEquals(0, whole.status(), whole::toString);
        Path run = host.runDir("vae-whole");
        double initial = TestHost.metric(run, "variational", "test_bound_initial");
        double trained = TestHost.metric(run, "variational", "test_bound");
        double loglik = TestHost.metric(run, "loglik", "test_loglik");
        double baseline = independentBernoulliBaseline();
        System.out.printf("VaeIT: test ELBO at step 0 %.2f, after 400 steps %.2f (loglik evaluator %.2f);"
                + " independent Bernoulli baseline %.2f nats%n", initial, trained, loglik, baseline);
        // At step 0 every pixel is a coin flip: about -784 ln 2 = -543 nats plus the KL term.
        assertTrue(initial < -500, "initial test ELBO " + initial);
        assertTrue(trained > initial + 250, "trained " + trained + " vs initial " + initial);
        assertTrue(loglik > baseline + 40, "VAE test ELBO " + loglik + " vs independent Bernoulli " + baseline);
        JsonNode metric = metricNode(run, "loglik", "test_loglik");
        assertEquals("bound", metric.path("kind").asText());
        assertEquals("elbo", metric.path("protocol").path("estimator").asText());
        // The evaluator's ELBO on all 500 test images and the trainer's final one agree up to ELBO noise.
        assertEquals(trained, loglik, 2.0);
    }

    @Test
    void aRunStoppedAfterACheckpointResumesToTheNumbersOfAnUninterruptedRun() throws Exception {
        assertEquals(0, whole.status(), whole::toString);
        // The same spec with a budget of 170 steps per invocation: it checkpoints at 100 and stops (and checkpoints)
        // at 170. Deleting the checkpoint of step 170 makes it a run killed 70 steps after its last checkpoint.
        host.spec("vae-stopped", SPEC.formatted("vae-stopped", TRAIN, TEST, ", \"stepsPerInvocation\": 170"));
        TestHost.Result first = host.exec("run", "vae-stopped.json");
        assertNotEquals(0, first.status(), first::toString);
        Path run = host.runDir("vae-stopped");
        assertEquals("failed", TestHost.read(run.resolve("run.json")).path("status").asText());
        assertTrue(TestHost.read(run.resolve("run.json")).path("error").asText().contains("at step 170 of 400"));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-100")));
        TestHost.deleteTree(run.resolve("checkpoints/step-170"));

        // Each invocation has the same budget: the first resume runs 101..270 and stops again (checkpoint 270),
        // the second finishes 271..400.
        TestHost.Result again = host.exec("resume", run.getFileName().toString());
        assertNotEquals(0, again.status(), again::toString);
        assertTrue(again.err().contains("at step 270 of 400"), again::toString);
        TestHost.Result resumed = host.exec("resume", run.getFileName().toString());
        assertEquals(0, resumed.status(), resumed::toString);
        assertEquals("completed", TestHost.read(run.resolve("run.json")).path("status").asText());

        Path reference = host.runDir("vae-whole");
        JsonNode a = TestHost.read(reference.resolve("metrics.json")).path("metrics");
        JsonNode b = TestHost.read(run.resolve("metrics.json")).path("metrics");
        assertEquals(a, b, "final metrics of the resumed and the uninterrupted run");
        assertEquals(-1, Files.mismatch(reference.resolve("samples/ancestral.arrow"), run.resolve("samples/ancestral.arrow")),
                "samples are bit-identical");
        assertEquals(-1, Files.mismatch(reference.resolve("checkpoint/model.safetensors"), run.resolve("checkpoint/model.safetensors")),
                "the final weights and Adam moments are bit-identical");
        // Each resume drops what it redoes (steps after the checkpoint it continues from): every step is logged once,
        // with the values of the uninterrupted run.
        List<JsonNode> log = Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(VaeIT::json).toList();
        List<JsonNode> wholeLog = Files.readAllLines(reference.resolve("metrics.jsonl")).stream().map(VaeIT::json).toList();
        List<JsonNode> step150 = log.stream().filter(n -> n.path("step").asLong() == 150).toList();
        assertEquals(wholeLog.stream().filter(n -> n.path("step").asLong() == 150).toList(), step150,
                "step 150 logged once, as the uninterrupted run logged it");
    }

    @Test
    void theRunWritesImageGridsLossCurvesReconstructionsAndALatentMap() throws Exception {
        assertEquals(0, whole.status(), whole::toString);
        Path run = host.runDir("vae-whole");
        BufferedImage samples = ImageIO.read(run.resolve("samples.png").toFile());
        assertTrue(samples.getWidth() >= 10 * 56 && samples.getHeight() >= 10 * 56, "a 10 x 10 grid of 2x images");
        assertTrue(ImageIO.read(run.resolve("training.png").toFile()).getWidth() > 0);
        BufferedImage recon = ImageIO.read(run.resolve("outputs/variational/reconstructions.png").toFile());
        assertTrue(recon.getWidth() > recon.getHeight());
        assertTrue(ImageIO.read(run.resolve("outputs/variational/latent.png").toFile()).getWidth() > 0);
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/model.safetensors")), "the trained model is saved with the run");
        JsonNode prov = TestHost.read(run.resolve("provenance.json"));
        assertTrue(prov.path("bundles").has("org.genbench.model.vae"), prov::toString);
        assertEquals(64, prov.path("datasetChecksum").asText().length());
    }

    /**
     * The reference the VAE must beat, computed here from the prepared Arrow files rather than by the code under
     * test: each pixel an independent Bernoulli with its Laplace-smoothed frequency over the same 2000 training
     * images, scored on the same 500 test images, thresholded as the dataset does (intensity / 255 >= 0.5, that is
     * byte >= 128).
     */
    static double independentBernoulliBaseline() throws IOException {
        Path data = workspace.resolve("data/fashion-mnist");
        int[][] train = bits(data.resolve("train.arrow"), TRAIN);
        int[][] test = bits(data.resolve("test.arrow"), TEST);
        double[] p = new double[784];
        for (int[] row : train) {
            for (int j = 0; j < 784; j++) {
                p[j] += row[j];
            }
        }
        for (int j = 0; j < 784; j++) {
            p[j] = (p[j] + 1) / (TRAIN + 2.0);
        }
        double total = 0;
        for (int[] row : test) {
            for (int j = 0; j < 784; j++) {
                total += row[j] == 1 ? Math.log(p[j]) : Math.log1p(-p[j]);
            }
        }
        return total / TEST;
    }

    private static int[][] bits(Path file, int n) throws IOException {
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(file);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertTrue(reader.loadNextBatch());
            assertTrue(root.getVector("label") instanceof IntVector);
            UInt1Vector values = (UInt1Vector) ((FixedSizeListVector) root.getVector("x")).getDataVector();
            int[][] out = new int[n][784];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 784; j++) {
                    out[i][j] = (values.get(i * 784 + j) & 0xff) >= 128 ? 1 : 0;
                }
            }
            return out;
        }
    }

    private static JsonNode metricNode(Path run, String component, String name) throws IOException {
        for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + component + "/" + name);
    }

    /** A metrics.jsonl line without its {@code elapsed} stamp (wall-clock time differs between any two runs). */
    private static JsonNode json(String line) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) TestHost.JSON.readTree(line);
            node.remove("elapsed");
            return node;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
