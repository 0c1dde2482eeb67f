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
 * The forensics and FID checks on real generators, in the real framework: one command runs a VAE and a GAN
 * on Fashion-MNIST; the GAN run's forensics evaluator takes the VAE run's samples as a second generator and writes
 * the cross-generator table (trained on VAE, tested on GAN, and the reverse) to its run directory. Both runs also
 * score FID with the default feature network. Short trainings: the generators are poor, which is what makes their
 * images easy to tell from real ones; the point is the machinery and the table. Needs dataset-fashion-mnist.
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
        assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "needs dataset-fashion-mnist");
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
        for (String cell : new String[] {"gan->vae", "vae->gan", "gan->gan", "vae->vae"}) {
            double acc = TestHost.metric(gan, "forensics", cell + "/accuracy");
            assertTrue(acc >= 0 && acc <= 1, cell + " " + acc);
        }
        JsonNode json = TestHost.read(gan.resolve("outputs/forensics/cross_generator.json"));
        assertEquals(4, json.path("cells").size());
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
        assertTrue(fid >= 0 && Double.isFinite(fid), "FID under the Keras network " + fid);
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
            assertTrue(fid > 0 && Double.isFinite(fid), name + " FID " + fid);
            for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
                if (m.path("component").asText().equals("fid") && m.path("name").asText().equals("ancestral/fid")) {
                    JsonNode p = m.path("protocol");
                    assertEquals("fashion-mnist-mlp", p.path("feature_network").asText());
                    assertEquals(64, p.path("feature_network_sha256").asText().length());
                    assertEquals(1000, p.path("n_real").asInt());
                    assertEquals(1000, p.path("n_generated").asInt());
                }
            }
        }
    }
}
