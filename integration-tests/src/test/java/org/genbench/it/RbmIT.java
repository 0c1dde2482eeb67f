package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boltzmann machines in the real framework: a Gaussian-Bernoulli RBM on a 2-D toy sampled by block Gibbs, MALA and
 * Langevin and scored by AIS; an RBM and a DBN on binarized Fashion-MNIST (needs Debian's dataset-fashion-mnist);
 * and the shipped specs, which compose with loglik, mcmc, fid and forensics.
 */
class RbmIT {
    static final String TOY = """
            {
              "name": "rbm-toy-it", "seed": 3,
              "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 2000, "test": 500 } },
              "model": { "type": "rbm", "config": { "hidden": 16, "visible": "gaussian", "sigma": 0.354, "initScale": 0.1 } },
              "trainer": { "type": "cd", "config": { "k": 1, "steps": 2000, "batchSize": 100,
                           "learningRate": 0.01, "schedule": "linear", "evalEvery": 0, "checkpointEvery": 500 } },
              "samplers": [
                { "type": "gibbs", "config": { "chains": 4, "draws": 500, "warmup": 200, "output": "sample" } },
                { "type": "mala", "config": { "chains": 4, "draws": 500, "warmup": 200 } },
                { "type": "langevin", "config": { "chains": 4, "draws": 500, "warmup": 200, "thin": 2, "stepSize": 0.005 } }
              ],
              "evaluators": [ { "type": "loglik", "config": { "aisDistributions": 500, "aisChains": 100 } },
                              { "type": "mcmc" } ]
            }
            """;
    static final String IMAGES = """
            {
              "name": "%s", "seed": 5,
              "dataset": { "type": "fashion-mnist", "config": { "train": 2000, "test": 500, "binarize": "threshold" } },
              "model": %s,
              "trainer": { "type": "cd", "config": { "k": 1, "steps": 600, "batchSize": 100, "learningRate": 0.02,
                           "momentumWarmup": 100, "evalEvery": 0, "evalExamples": 50, "checkpointEvery": 0 } },
              "samplers": [ %s ],
              "evaluators": [ { "type": "loglik", "config": { "aisDistributions": 300, "aisChains": 50 } } %s ]
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

    static JsonNode metricNode(Path run, String component, String name) throws IOException {
        for (JsonNode m : TestHost.read(run.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + component + "/" + name);
    }

    @Test
    void aGaussianBernoulliRbmOnAToyIsSampledThreeWaysAndScoredByAis() throws Exception {
        Path spec = host.spec("rbm-toy-it", TOY);
        TestHost.Result r = host.exec("run", spec.toString());
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("rbm-toy-it");
        JsonNode loglik = metricNode(run, "loglik", "test_loglik");
        assertEquals("ais", loglik.path("kind").asText());
        assertTrue(loglik.path("protocol").path("ais_kernel").asText().startsWith("block Gibbs"), loglik.toString());
        double ll = loglik.path("value").asDouble();
        // One Gaussian fitted to eight Gaussians on a circle of radius 2.83 (sd 0.35): about -4.3 nats; the data's
        // own entropy bound is about -2.9.
        System.out.printf("RbmIT toy: GB-RBM test log-likelihood %.3f nats (AIS log Z %.3f +- %.3f)%n", ll,
                TestHost.metric(run, "loglik", "test_ais_log_z"), TestHost.metric(run, "loglik", "test_ais_log_z_se"));
        assertTrue(ll > -4.2 && ll < -2.5, "GB-RBM test log-likelihood " + ll);
        for (String sampler : List.of("gibbs", "mala", "langevin")) {
            double rhat = TestHost.metric(run, "mcmc", sampler + "/rhat_max");
            assertTrue(Double.isFinite(rhat), sampler + " R-hat " + rhat);
        }
        assertTrue(Files.isRegularFile(run.resolve("outputs/gibbs/trajectories.png")));
        assertTrue(Files.isRegularFile(run.resolve("outputs/langevin/trajectories.png")));
        assertTrue(Files.isRegularFile(run.resolve("samples.png")));
        assertTrue(Files.isRegularFile(run.resolve("training.png")));
    }

    private static double independentBernoulliBaseline() throws IOException {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        double[] ones = new double[784];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(
                dir.resolve("train-images-idx3-ubyte.gz"))))) {
            in.skipNBytes(16);
            byte[] b = in.readNBytes(2000 * 784);
            for (int i = 0; i < b.length; i++) {
                ones[i % 784] += (b[i] & 0xff) / 255.0 >= 0.5 ? 1 : 0;
            }
        }
        double ll = 0;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(
                dir.resolve("t10k-images-idx3-ubyte.gz"))))) {
            in.skipNBytes(16);
            byte[] b = in.readNBytes(500 * 784);
            for (int i = 0; i < b.length; i++) {
                double p = (ones[i % 784] + 1) / 2002;
                ll += ((b[i] & 0xff) / 255.0 >= 0.5 ? Math.log(p) : Math.log1p(-p)) / 500;
            }
        }
        return ll;
    }

    @Test
    void anRbmAndADbnOnFashionMnistBeatIndependentPixels() throws Exception {
        Required.fashionMnist();
        double baseline = independentBernoulliBaseline();
        Path rbmSpec = host.spec("rbm-fm-it", IMAGES.formatted("rbm-fm-it", "{ \"type\": \"rbm\", \"config\": { \"hidden\": 64 } }",
                "{ \"type\": \"gibbs\", \"config\": { \"chains\": 4, \"draws\": 50, \"warmup\": 100 } }",
                ", { \"type\": \"mcmc\" }"));
        TestHost.Result r = host.exec("run", rbmSpec.toString());
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("rbm-fm-it");
        double rbm = TestHost.metric(run, "loglik", "test_loglik");
        assertEquals("ais", metricNode(run, "loglik", "test_loglik").path("kind").asText());
        assertTrue(Files.isRegularFile(run.resolve("outputs/cd/filters.png")));
        assertTrue(Files.isRegularFile(run.resolve("outputs/gibbs/chains.png")));
        assertTrue(Files.isRegularFile(run.resolve("samples.png")));

        Path dbnSpec = host.spec("dbn-fm-it", IMAGES.formatted("dbn-fm-it",
                "{ \"type\": \"dbn\", \"config\": { \"hidden\": [64, 32], \"sampleGibbsSteps\": 200, \"aisDistributions\": 300, \"aisChains\": 50 } }",
                "{ \"type\": \"ancestral\", \"config\": { \"samples\": 100 } }", ""));
        r = host.exec("run", dbnSpec.toString());
        assertEquals(0, r.status(), r::toString);
        Path dbnRun = host.runDir("dbn-fm-it");
        JsonNode bound = metricNode(dbnRun, "loglik", "test_loglik");
        assertEquals("bound", bound.path("kind").asText());
        assertTrue(bound.path("protocol").path("estimator").asText().startsWith("dbn-vlb"), bound.toString());
        assertTrue(bound.path("protocol").has("top_log_z_se"), bound.toString());
        double dbn = bound.path("value").asDouble();
        System.out.printf("RbmIT Fashion-MNIST (2000 train, 500 test, thresholded): independent pixels %.2f, RBM-64 (CD-1,"
                + " 600 updates) %.2f by AIS, DBN 64-32 bound %.2f nats%n", baseline, rbm, dbn);
        assertTrue(rbm > baseline + 20, "RBM " + rbm + " vs independent pixels " + baseline);
        assertTrue(dbn > baseline, "DBN bound " + dbn + " vs independent pixels " + baseline);
        assertTrue(TestHost.metric(dbnRun, "cd", "layer1_test_recon_error") >= 0);
    }

    @Test
    void theShippedSpecsComposeWithLikelihoodMcmcFidAndForensics() throws Exception {
        for (String name : List.of("rbm-fashion-mnist", "rbm-cd25-fashion-mnist", "rbm-pcd-fashion-mnist",
                "dbn-fashion-mnist", "rbm-toy", "langevin-toy")) {
            Path spec = TestHost.HOME.resolve("workspace/experiments/" + name + ".json");
            TestHost.Result r = host.exec("check", spec.toString());
            assertEquals(0, r.status(), name + ": " + r);
        }
        // A binary RBM cannot be sampled by Langevin dynamics: refused with a message that says what to use.
        Path bad = host.spec("rbm-langevin", IMAGES.formatted("rbm-langevin", "{ \"type\": \"rbm\", \"config\": { \"hidden\": 8 } }",
                "{ \"type\": \"langevin\" }", "").replace("\"steps\": 600", "\"steps\": 2"));
        TestHost.Result r = host.exec("run", bad.toString());
        if (Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist"))) {
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().contains("sample a binary model with gibbs"), r.err());
        }
    }
}
