package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a run directory in the format the workbench writes (README, "What a run writes"). */
class RunTest {
    @TempDir
    Path runs;

    Run run(String id, long seed, double loglik) throws Exception {
        Path dir = Files.createDirectories(runs.resolve(id));
        Files.writeString(dir.resolve("run.json"), "{\"id\":\"" + id + "\",\"name\":\"exp\",\"seed\":" + seed + ",\"status\":\"completed\"}");
        Files.writeString(dir.resolve("spec.json"), "{\"name\":\"exp\",\"seed\":" + seed + ",\"dataset\":{\"type\":\"toy\"},"
                + "\"model\":{\"type\":\"gmm\",\"config\":{\"components\":8}},\"trainer\":{\"type\":\"em\"}}");
        Files.writeString(dir.resolve("metrics.json"), "{\"id\":\"" + id + "\",\"metrics\":["
                + "{\"role\":\"trainer\",\"component\":\"em\",\"name\":\"iterations\",\"value\":3.0,\"kind\":\"value\",\"protocol\":{}},"
                + "{\"role\":\"evaluator\",\"component\":\"loglik\",\"name\":\"test_loglik\",\"value\":" + loglik + ",\"kind\":\"exact\",\"protocol\":{}}]}");
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"component":"em","phase":"train","step":1,"values":{"train_loglik":-3.5}}
                {"component":"em","phase":"train","step":2,"values":{"train_loglik":-3.0}}
                {"component":"mala","phase":"sample","step":5,"values":{"accept_prob":0.6,"step_size":0.4}}
                """);
        return new Run(dir);
    }

    @Test
    void metricsLogAndCurvesComeFromTheRunFiles() throws Exception {
        Run r = run("20260101-000000-exp", 4, -2.5);
        assertEquals("completed", r.status());
        assertEquals(4, r.seed());
        assertEquals(-2.5, r.metric("loglik", "test_loglik"));
        assertEquals(List.of("iterations", "test_loglik"), r.metrics().column("metric"));
        assertEquals(4, r.log().size());
        double[][] c = r.curve("em", "train_loglik");
        assertArrayEquals(new double[] {1, 2}, c[0]);
        assertArrayEquals(new double[] {-3.5, -3.0}, c[1]);
        assertEquals("gmm", r.spec().model().type());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.metric("loglik", "fid"));
        assertTrue(e.getMessage().contains("has no metric loglik/fid"), e.getMessage());
    }

    @Test
    void compareLinesRunsUpByMetric() throws Exception {
        Table t = Run.compare(List.of(run("a", 1, -2.0), run("b", 2, -2.5)), "loglik/test_loglik", "em/iterations");
        assertEquals(List.of("run", "name", "model", "seed", "loglik/test_loglik", "em/iterations"), t.columns());
        assertArrayEquals(new double[] {-2.0, -2.5}, t.doubles("loglik/test_loglik"));
        assertThrows(IllegalArgumentException.class, () -> Run.compare(List.of(run("c", 1, 0)), "test_loglik"));
    }

    @Test
    void aDirectoryWithoutRunJsonIsNotARun() throws Exception {
        Path notRun = Files.createDirectories(runs.resolve("x"));
        assertThrows(IllegalArgumentException.class, () -> new Run(notRun));
    }
}
