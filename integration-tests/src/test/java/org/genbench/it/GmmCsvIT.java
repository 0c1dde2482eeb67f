package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Gaussian mixture fitted to the user's own CSV files through the real framework, with no flag: the shipped spec
 * workspace/experiments/gmm-csv.json and its variants for the other covariance types end where scikit-learn's
 * GaussianMixture ends from the same initial means (gmm_csv_sklearn.json, written by
 * datasets/reference/gmm_csv_sklearn.py), in mean training log-likelihood (lower_bound_) and held-out
 * log-likelihood (score), to 1e-6 relative.
 */
class GmmCsvIT {
    private static final double REL_TOL = 1e-6;

    @TempDir
    static Path workspace;
    static TestHost host;
    static JsonNode reference;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace); // the default features: the csv dataset needs no --features flag
        Path examples = Files.createDirectories(workspace.resolve("examples/blobs"));
        for (String f : new String[] {"train.csv", "test.csv"}) {
            Files.copy(TestHost.HOME.resolve("workspace/examples/blobs/" + f), examples.resolve(f));
        }
        Files.createDirectories(workspace.resolve("experiments"));
        Files.copy(TestHost.HOME.resolve("workspace/experiments/gmm-csv.json"),
                workspace.resolve("experiments/gmm-csv.json"));
        try (InputStream in = GmmCsvIT.class.getResourceAsStream("/gmm_csv_sklearn.json")) {
            reference = TestHost.JSON.readTree(in);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void theShippedSpecMatchesScikitLearnWithFullCovariances() throws Exception {
        TestHost.Result r = host.exec("run", "gmm-csv.json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir("gmm-csv");
        assertMatchesSklearn(run, "full");

        // provenance: the sha256 of the two files' listing, as `sha256sum train test | sha256sum` prints it
        String train = sha256(Files.readAllBytes(workspace.resolve("examples/blobs/train.csv")));
        String test = sha256(Files.readAllBytes(workspace.resolve("examples/blobs/test.csv")));
        String listing = train + "  examples/blobs/train.csv\n" + test + "  examples/blobs/test.csv\n";
        assertEquals(sha256(listing.getBytes(StandardCharsets.UTF_8)),
                TestHost.read(run.resolve("provenance.json")).path("datasetChecksum").asText());
        JsonNode spec = TestHost.read(run.resolve("spec.json"));
        assertEquals(3, spec.path("model").path("config").path("meansInit").size(), "spec.json keeps the means");
        assertEquals("cluster", spec.path("dataset").path("config").path("label").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tied", "diag", "spherical"})
    void everyOtherCovarianceTypeMatchesScikitLearn(String covariance) throws Exception {
        ObjectNode spec = (ObjectNode) TestHost.read(TestHost.HOME.resolve("workspace/experiments/gmm-csv.json"));
        spec.put("name", "gmm-csv-" + covariance);
        ((ObjectNode) spec.path("model").path("config")).put("covariance", covariance);
        Path file = host.spec("gmm-csv-" + covariance, spec.toPrettyString());
        TestHost.Result r = host.exec("run", file.toString());
        assertEquals(0, r.status(), r::toString);
        assertMatchesSklearn(host.runDir("gmm-csv-" + covariance), covariance);
    }

    @Test
    void aMissingFileFailsTheRunNamingTheFieldAndTheResolvedPath() throws Exception {
        ObjectNode spec = (ObjectNode) TestHost.read(TestHost.HOME.resolve("workspace/experiments/gmm-csv.json"));
        spec.put("name", "gmm-csv-missing");
        ((ObjectNode) spec.path("dataset").path("config")).put("train", "examples/blobs/trian.csv");
        Path file = host.spec("gmm-csv-missing", spec.toPrettyString());
        TestHost.Result r = host.exec("run", file.toString());
        assertEquals(1, r.status(), r::toString);
        String expected = "field 'train': no such file: " + workspace.resolve("examples/blobs/trian.csv");
        assertTrue((r.out() + r.err()).contains(expected), "expected '" + expected + "' in:\n" + r);
    }

    private static void assertMatchesSklearn(Path run, String covariance) throws Exception {
        JsonNode ref = reference.path("cases").path(covariance);
        double trainLoglik = TestHost.metric(run, "em", "train_loglik");
        double testLoglik = TestHost.metric(run, "loglik", "test_loglik");
        double lowerBound = ref.path("lowerBound").asDouble();
        double score = ref.path("testScore").asDouble();
        System.out.printf("gmm-csv %s: train_loglik %.12f vs sklearn lower_bound_ %.12f (rel %.1e); test_loglik %.12f"
                        + " vs score %.12f (rel %.1e); %d vs %d iterations%n", covariance, trainLoglik, lowerBound,
                Math.abs(trainLoglik - lowerBound) / Math.abs(lowerBound), testLoglik, score,
                Math.abs(testLoglik - score) / Math.abs(score), (int) TestHost.metric(run, "em", "iterations"),
                ref.path("iterations").asInt());
        assertEquals(lowerBound, trainLoglik, REL_TOL * Math.abs(lowerBound), covariance + ": train mean log-likelihood");
        assertEquals(score, testLoglik, REL_TOL * Math.abs(score), covariance + ": held-out mean log-likelihood");
        assertEquals(1.0, TestHost.metric(run, "em", "converged"), covariance + ": EM converged");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
