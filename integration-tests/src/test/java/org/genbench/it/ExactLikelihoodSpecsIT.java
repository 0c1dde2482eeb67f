package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped specs of the exact-likelihood families (workspace/experiments/{realnvp,maf,made,pixelcnn}-fashion-mnist
 * and {realnvp,maf,made}-toy): every one composes as written, and each Fashion-MNIST spec runs end to end with its
 * own model, sampler and evaluators (loglik, fid, forensics), shortened only in what costs time (2 training steps,
 * 300 + 100 images, a few dozen samples), writing its sample grid. The numbers of such short runs mean nothing; the
 * point is that the specs a user gets run and compose.
 */
class ExactLikelihoodSpecsIT {
    static final List<String> TOYS = List.of("realnvp-toy", "maf-toy", "made-toy");
    static final List<String> IMAGES = List.of("realnvp-fashion-mnist", "maf-fashion-mnist", "made-fashion-mnist",
            "pixelcnn-fashion-mnist");

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

    static ObjectNode shipped(String name) throws Exception {
        return (ObjectNode) TestHost.read(TestHost.HOME.resolve("workspace/experiments/" + name + ".json"));
    }

    @Test
    void everyShippedSpecComposes() throws Exception {
        for (String name : TOYS) {
            host.spec(name, shipped(name).toString());
        }
        for (String name : IMAGES) {
            host.spec(name, shipped(name).toString());
        }
        for (String name : TOYS) {
            TestHost.Result r = host.exec("check", name + ".json");
            assertEquals(0, r.status(), r::toString);
        }
        Required.fashionMnist();
        for (String name : IMAGES) {
            TestHost.Result r = host.exec("check", name + ".json");
            assertEquals(0, r.status(), r::toString);
        }
    }

    /**
     * The 2-D target for MADE, as shipped (workspace/experiments/made-toy.json: four orders trained, their
     * ensemble at test time, data-initialized mixtures; 3000 steps, seconds): within 0.05 nats of the true density
     * on the 5000 held-out points. bench/flows_toy_check.sh reports it beside RealNVP's and MAF's.
     */
    @Test
    void theShippedMadeToySpecComesWithinFiveHundredthsOfANatOfTheTruth() throws Exception {
        host.spec("made-toy", shipped("made-toy").toString());
        TestHost.Result r = host.exec("run", "made-toy.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("made-toy");
        double gap = TestHost.metric(run, "loglik", "test_loglik_gap");
        System.out.printf("ExactLikelihoodSpecsIT made-toy: test log-likelihood %.4f, the true density's %.4f, gap %.4f%n",
                TestHost.metric(run, "loglik", "test_loglik"), TestHost.metric(run, "loglik", "test_true_loglik"), gap);
        assertTrue(gap > -0.05 && gap < 0.05, "made-toy: gap to the true density " + gap + " nats");
    }

    @Test
    void eachFashionMnistSpecRunsWithItsSamplersAndEvaluators() throws Exception {
        Required.fashionMnist();
        for (String name : IMAGES) {
            ObjectNode spec = shipped(name);
            String short_ = name + "-short";
            spec.put("name", short_);
            ((ObjectNode) spec.path("dataset").path("config")).put("train", 300).put("test", 100);
            ObjectNode trainer = ((ObjectNode) spec.path("trainer").path("config")).put("steps", 2)
                    .put("checkpointEvery", 0).put("evalExamples", 50);
            if (trainer.has("lrWarmup")) {
                trainer.put("lrWarmup", 1);
            }
            int samples = name.startsWith("pixelcnn") ? 24 : 60;
            for (JsonNode s : spec.path("samplers")) {
                ObjectNode c = (ObjectNode) s.path("config");
                c.put("samples", samples);
                if (c.has("batchSize")) {
                    c.put("batchSize", samples);
                }
            }
            String model = spec.path("model").path("type").asText();
            for (JsonNode e : spec.path("evaluators")) {
                switch (e.path("type").asText()) {
                    case "fid" -> ((ObjectNode) e.path("config")).put("samples", samples);
                    case "forensics" -> ((ObjectNode) e.path("config")).put("train", 14).put("test", 10).put("epochs", 1)
                            .put("hidden", 8);
                    default -> { }
                }
            }
            host.spec(short_, spec.toString());
            TestHost.Result r = host.exec("run", short_ + ".json");
            assertEquals(0, r.status(), r::toString);
            Path run = host.runDir(short_);
            double bits = name.startsWith("made") ? -TestHost.metric(run, "loglik", "test_loglik")
                    : TestHost.metric(run, "loglik", "test_bits_per_dim");
            String sampler = spec.path("samplers").get(0).path("type").asText();
            double fid = TestHost.metric(run, "fid", sampler + "/fid");
            double acc = TestHost.metric(run, "forensics", model + "->" + model + "/accuracy");
            System.out.printf("ExactLikelihoodSpecsIT %s: %s %.4f, FID %.2f, forensics accuracy %.3f%n", short_,
                    name.startsWith("made") ? "nats" : "bits/dim", bits, fid, acc);
            assertTrue(Double.isFinite(bits) && bits > 0, name + " " + bits);
            assertTrue(Double.isFinite(fid) && fid >= 0, name + " FID " + fid);
            assertTrue(acc >= 0 && acc <= 1, name + " forensics accuracy " + acc);
            assertTrue(Files.isRegularFile(run.resolve("samples.png")), "sample grid in " + run);
        }
    }
}
