package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, in the real framework: the quickstart spec composes, runs and learns. */
class QuickstartIT {
    @TempDir
    static Path workspace;
    static TestHost host;
    static TestHost.Result first;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace);
        Files.createDirectories(workspace.resolve("experiments"));
        Files.copy(TestHost.HOME.resolve("workspace/experiments/quickstart.json"), workspace.resolve("experiments/quickstart.json"));
        first = host.exec("run", "quickstart.json");
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void quickstartRunsAndLearnsTheEightGaussians() throws Exception {
        assertEquals(0, first.status(), first::toString);
        Path run = host.runDir("quickstart");
        assertEquals("completed", TestHost.read(run.resolve("run.json")).path("status").asText());

        // The data are 8 well-separated isotropic Gaussians of sd 0.5/sqrt(2): the best possible held-out
        // log-likelihood is minus their entropy, -(ln(2 pi e sd^2) + ln 8) = -2.837 nats. A fitted 8-component GMM
        // must reach it within the estimate's noise (its standard error is ~0.03 on 1000 test points).
        double loglik = TestHost.metric(run, "loglik", "test_loglik");
        double se = TestHost.metric(run, "loglik", "test_loglik_se");
        double entropy = Math.log(2 * Math.PI * Math.E * 0.125) + Math.log(8);
        assertEquals(-entropy, loglik, 4 * se, "held-out log-likelihood vs the data's own entropy");
        double bpd = TestHost.metric(run, "loglik", "test_bits_per_dim");
        assertEquals(-loglik / (2 * Math.log(2)), bpd, 1e-9);
        assertTrue(TestHost.metric(run, "em", "converged") == 1.0, "EM converged");

        for (String sampler : new String[] {"mala", "hmc"}) {
            double acc = TestHost.metric(run, sampler, "acceptance_rate");
            assertTrue(acc > 0.2 && acc < 0.99, sampler + " acceptance " + acc);
        }
    }

    @Test
    void runDirectoryHoldsSpecProvenanceMetricsSamplesCheckpointAndPicture() throws Exception {
        Path run = host.runDir("quickstart");
        JsonNode spec = TestHost.read(run.resolve("spec.json"));
        assertEquals(1e-6, spec.path("model").path("config").path("regCovar").asDouble(), 0, "defaults are resolved into spec.json");
        JsonNode prov = TestHost.read(run.resolve("provenance.json"));
        assertTrue(prov.path("bundles").has("org.genbench.model.gmm"), prov::toString);
        assertTrue(prov.path("libraries").has("nd4j-api"), prov::toString);
        assertEquals(64, prov.path("datasetChecksum").asText().length(), "sha256 of the data");

        long logLines = Files.readAllLines(run.resolve("metrics.jsonl")).size();
        assertTrue(logLines >= 2, "per-step metrics are logged");
        assertTrue(Files.isDirectory(run.resolve("checkpoint")), "checkpoint written");

        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(run.resolve("samples/ancestral.arrow"));
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertTrue(reader.loadNextBatch());
            assertEquals(2000, root.getRowCount());
            assertEquals("x", root.getSchema().getFields().get(0).getName());
        }
        BufferedImage png = ImageIO.read(run.resolve("samples.png").toFile());
        assertTrue(png.getWidth() > png.getHeight(), "one panel per sampler, side by side");
    }

    @Test
    void theSameSpecGivesTheSameNumbers() throws Exception {
        Path firstRun = host.runDir("quickstart");
        TestHost.Result again = host.exec("run", "quickstart.json");
        assertEquals(0, again.status(), again::toString);
        try (var dirs = Files.list(workspace.resolve("runs"))) {
            Path second = dirs.filter(d -> !d.equals(firstRun)).findFirst().orElseThrow();
            JsonNode a = TestHost.read(firstRun.resolve("metrics.json")).path("metrics");
            JsonNode b = TestHost.read(second.resolve("metrics.json")).path("metrics");
            assertEquals(a, b, "metrics of two runs of one spec");
            assertEquals(-1, Files.mismatch(firstRun.resolve("metrics.json"), second.resolve("metrics.json")),
                    "metrics.json of two runs of one spec is byte-identical (stable key order, no run id)");
            assertEquals(-1, Files.mismatch(firstRun.resolve("samples/hmc.arrow"), second.resolve("samples/hmc.arrow")),
                    "HMC samples are bit-identical");
        } finally {
            try (var dirs = Files.list(workspace.resolve("runs"))) {
                dirs.filter(d -> !d.equals(firstRun)).forEach(TestHost::deleteTree);
            }
        }
    }

    @Test
    void listShowsComponentsWithCapabilitiesAndBundleVersions() throws Exception {
        TestHost.Result list = host.exec("list");
        assertEquals(0, list.status(), list::toString);
        String gmm = list.out().lines().filter(l -> l.startsWith("model") && l.contains(" gmm ")).findFirst().orElseThrow();
        for (String cap : new String[] {"DirectSampling", "Energy", "LogDensity", "Score", "org.genbench.model.gmm 0.1.0"}) {
            assertTrue(gmm.contains(cap), gmm);
        }
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("sampler") && l.contains(" hmc ") && l.contains("Energy")), list.out());
        TestHost.Result runs = host.exec("runs");
        assertTrue(runs.out().contains("quickstart") && runs.out().contains("loglik/test_loglik="), runs.out());
    }
}
