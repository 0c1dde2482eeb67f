package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forensics and FID checks on real generators, in the real framework: one command runs a VAE and a GAN
 * on Fashion-MNIST; the GAN run's forensics evaluator takes the VAE run's samples as a second generator and writes
 * the cross-generator table (trained on VAE, tested on GAN, and the reverse) to its run directory. Both runs also
 * score FID with the default feature network. Short trainings: the generators are poor, which is what makes their
 * images easy to tell from real ones; the point is the machinery and the table. Needs dataset-fashion-mnist.
 *
 * <p>Each number is checked against an expectation from outside the code that produced it: detectors against chance
 * and against an independent replicate (the GAN run retrains the VAE detector with another seed), and every FID
 * against the same FID recomputed by datasets/reference/fid_recompute.py (numpy and scipy, pytorch-fid's formula,
 * the real images read from Debian's files) from the generated images and the feature network's weights.
 */
class ForensicsIT {
    static final String DATA = "\"dataset\": { \"type\": \"fashion-mnist\", \"config\": { \"train\": 3000, \"test\": 1000 } }";
    static final String EVALUATORS = """
            { "type": "forensics", "config": { "train": 1000, "test": 500, "hidden": 64, "epochs": 3, %s } },
            { "type": "fid", "config": { "samples": 1000 } }""";
    static final String VAE = """
            { "name": "forensics-vae", "seed": 3, %s,
              "model": { "type": "vae", "config": { "hidden": 200, "latent": 8, "likelihood": "gaussian", "sampleOutput": "mean" } },
              "trainer": { "type": "variational", "config": { "steps": 300, "batchSize": 100, "learningRate": 0.002,
                           "warmupSteps": 50, "checkpointEvery": 300, "evalExamples": 200 } },
              "samplers": [ { "type": "ancestral", "config": { "samples": 1500 } } ],
              "evaluators": [ %s,
                { "type": "fid", "id": "fid-keras", "config": { "samples": 500, "network": "KERAS_MODEL" } } ] }
            """.formatted(DATA, EVALUATORS.formatted("\"self\": \"vae\""));
    static final String GAN = """
            { "name": "forensics-gan", "seed": 4, %s,
              "model": { "type": "gan", "config": { "arch": "dcgan", "conditional": false, "latentDim": 32,
                         "gChannels": 32, "dChannels": 32 } },
              "trainer": { "type": "adversarial", "config": { "steps": 300, "batchSize": 64, "learningRateG": 0.0005,
                           "learningRateD": 0.0005, "checkpointEvery": 300 } },
              "samplers": [ { "type": "ancestral", "config": { "samples": 1500 } } ],
              "evaluators": [ %s ] }
            """.formatted(DATA, EVALUATORS.formatted("\"self\": \"gan\", \"generators\": { \"vae\": \"run:forensics-vae/ancestral\" }"));

    @TempDir
    static Path workspace;
    static TestHost host;
    static TestHost.Result result;

    @BeforeAll
    static void boot() throws Exception {
        Required.fashionMnist();
        host = new TestHost(workspace, List.of("core", "classic", "deep", "eval"));
        // A user's Keras feature network (Sequential, HDF5), written by datasets/reference/keras_fixture.py
        String keras = Path.of(ForensicsIT.class.getResource("/keras_fashion_mlp.h5").toURI()).toString();
        host.spec("forensics-vae", VAE.replace("KERAS_MODEL", keras));
        host.spec("forensics-gan", GAN);
        result = host.exec("run", "forensics-vae.json", "forensics-gan.json");
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void oneCommandWritesTheCrossGeneratorTableToTheGanRun() throws Exception {
        assertEquals(0, result.status(), result::toString);
        Path gan = host.runDir("forensics-gan");
        Path table = gan.resolve("outputs/forensics/cross_generator.md");
        assertTrue(Files.isRegularFile(table), "table in " + gan);
        String md = Files.readString(table);
        System.out.println(md); // the table itself, for the build log
        assertTrue(md.contains("| trained on \\ tested on | gan | vae |"), md);
        JsonNode json = TestHost.read(gan.resolve("outputs/forensics/cross_generator.json"));
        assertEquals(4, json.path("cells").size());
        for (JsonNode cell : json.path("cells")) {
            String name = cell.path("trained").asText() + "->" + cell.path("tested").asText();
            assertEquals(TestHost.metric(gan, "forensics", name + "/accuracy"), cell.path("accuracy").asDouble(), 1e-12,
                    "the table's " + name + " is the metric");
        }
        // A detector tested on its own generator: far above chance (0.5; sd of chance accuracy ~0.016 at 500 + 500).
        double ganOnGan = TestHost.metric(gan, "forensics", "gan->gan/accuracy");
        assertTrue(ganOnGan > 0.75, "GAN detector on GAN samples: " + ganOnGan);
        // The GAN run retrains the VAE detector on the same images with another seed: an independent replicate of the
        // VAE run's own cell, equal up to training noise (measured 0.859 and 0.900; the off-diagonal cells, a detector
        // on the other generator, are 0.50 and 0.61).
        double replicate = TestHost.metric(gan, "forensics", "vae->vae/accuracy");
        double original = TestHost.metric(host.runDir("forensics-vae"), "forensics", "vae->vae/accuracy");
        System.out.printf("vae->vae accuracy: VAE run %.4f, replicate in the GAN run %.4f%n", original, replicate);
        assertEquals(original, replicate, 0.08, "the VAE detector retrained with another seed");
    }

    @Test
    void theDetectorTellsVaeSamplesFromRealImagesWellAboveChance() throws Exception {
        Path vae = host.runDir("forensics-vae");
        // Chance is 0.5 with balanced held-out sets of 500 + 500 (sd of chance accuracy ~0.016).
        double acc = TestHost.metric(vae, "forensics", "vae->vae/accuracy");
        double ap = TestHost.metric(vae, "forensics", "vae->vae/average_precision");
        assertTrue(acc > 0.75 && ap > 0.75, "VAE detector accuracy " + acc + ", AP " + ap);
    }

    @Test
    void aKerasModelServesAsTheFeatureNetworkInsideTheFramework() throws Exception {
        Path run = host.runDir("forensics-vae");
        double fid = TestHost.metric(run, "fid-keras", "ancestral/fid");
        Path keras = Path.of(ForensicsIT.class.getResource("/keras_fashion_mlp.h5").toURI());
        MultiLayerNetwork net = KerasModelImport.importKerasSequentialModelAndWeights(keras.toString(), false);
        JsonNode ref = recompute(run, net, 1, 500, 500, true);
        assertTrue(ref.path("weights_match").asBoolean(), "the imported kernel is the one keras_fixture.py wrote");
        System.out.printf("FID under the Keras network: genbench %.8g, numpy/scipy %.8g%n", fid, ref.path("fid").asDouble());
        assertEquals(ref.path("fid").asDouble(), fid, 1e-4 * ref.path("fid").asDouble(), "FID under the Keras network");
        for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals("fid-keras") && m.path("name").asText().equals("ancestral/fid")) {
                assertEquals("keras_fashion_mlp.h5", m.path("protocol").path("feature_network").asText());
                assertEquals(500, m.path("protocol").path("n_real").asInt());
            }
        }
    }

    @Test
    void fidIsReportedWithItsProtocol() throws Exception {
        for (String name : new String[] {"forensics-vae", "forensics-gan"}) {
            Path run = host.runDir(name);
            double fid = TestHost.metric(run, "fid", "ancestral/fid");
            for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
                if (m.path("component").asText().equals("fid") && m.path("name").asText().equals("ancestral/fid")) {
                    JsonNode p = m.path("protocol");
                    MultiLayerNetwork net = defaultNetwork(p.path("feature_network_sha256").asText());
                    double ref = recompute(run, net, 2, 1000, 1000, false).path("fid").asDouble();
                    System.out.printf("%s FID: genbench %.8g, numpy/scipy %.8g%n", name, fid, ref);
                    assertEquals(ref, fid, 1e-4 * ref, name + " FID recomputed from the images and the network's weights");
                    assertEquals("fashion-mnist-mlp", p.path("feature_network").asText());
                    assertEquals(64, p.path("feature_network_sha256").asText().length());
                    assertEquals(1000, p.path("n_real").asInt());
                    assertEquals(1000, p.path("n_generated").asInt());
                }
            }
        }
    }

    /**
     * The FID of {@code run}'s ancestral samples recomputed by datasets/reference/fid_recompute.py: the evaluator's
     * selection of {@code nGenerated} generated images (evenly spaced rows) and the first {@code layers} dense layers
     * of {@code net} exported, the real images read by the script itself.
     */
    private static JsonNode recompute(Path run, MultiLayerNetwork net, int layers, int nReal, int nGenerated,
                                      boolean kerasFixture) throws Exception {
        Required.python("apt-get install python3-numpy python3-scipy", "numpy", "scipy");
        Path dir = Files.createDirectories(workspace.resolve("fid-check").resolve(run.getFileName() + "-" + layers));
        double[][] all = TestHost.rows(run.resolve("samples/ancestral.arrow"));
        double[][] selected = new double[nGenerated][];
        for (int i = 0; i < nGenerated; i++) {
            selected[i] = all[(int) ((long) i * all.length / nGenerated)];
        }
        TestHost.writeNpy(dir.resolve("generated.npy"), selected);
        for (int k = 0; k < layers; k++) {
            TestHost.writeNpy(dir.resolve("w" + k + ".npy"), net.getLayer(k).getParam("W").castTo(
                    org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix());
            TestHost.writeNpy(dir.resolve("b" + k + ".npy"), net.getLayer(k).getParam("b").castTo(
                    org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape(1, -1).toDoubleMatrix());
        }
        JsonNode ref = kerasFixture ? TestHost.reference("fid_recompute.py", dir.toString(), Integer.toString(nReal),
                "--keras-fixture") : TestHost.reference("fid_recompute.py", dir.toString(), Integer.toString(nReal));
        assertEquals(nGenerated, ref.path("n_generated").asInt());
        return ref;
    }

    /** The default feature network the evaluator used, found in the FID cache by the sha256 in the protocol. */
    private static MultiLayerNetwork defaultNetwork(String sha256) throws Exception {
        String configured = System.getProperty("genbench.cache");
        Path fid = (configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".cache", "genbench"))
                .resolve("fid");
        try (var dirs = Files.list(fid)) {
            for (Path d : dirs.toList()) {
                Path record = d.resolve("network.json");
                if (Files.isRegularFile(record) && sha256.equals(TestHost.read(record).path("sha256").asText())) {
                    return ModelSerializer.restoreMultiLayerNetwork(d.resolve("network.zip").toFile(), false);
                }
            }
        }
        throw new AssertionError("no feature network with sha256 " + sha256 + " in " + fid);
    }
}
