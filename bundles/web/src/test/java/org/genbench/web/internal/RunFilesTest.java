package org.genbench.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
    @TempDir
    Path runs;

    @Test
    void onlyPlainNamesInsideTheRunAreServed() throws Exception {
        Path dir = Files.createDirectories(runs.resolve("20260101-000000-a"));
        Files.createDirectories(dir.resolve("outputs/mcmc"));
        Files.writeString(dir.resolve("samples.png"), "png");
        Files.writeString(dir.resolve("outputs/mcmc/rhat.png"), "png");
        Files.writeString(runs.resolve("secret.txt"), "no");
        Files.createSymbolicLink(dir.resolve("link.png"), runs.resolve("secret.txt"));

        assertTrue(RunFiles.runDir(runs, "20260101-000000-a").isPresent());
        assertTrue(RunFiles.runDir(runs, "..").isEmpty());
        assertTrue(RunFiles.runDir(runs, "../x").isEmpty());
        assertTrue(RunFiles.runDir(runs, "nope").isEmpty());
        assertTrue(RunFiles.file(dir, "samples.png").isPresent());
        assertTrue(RunFiles.file(dir, "outputs/mcmc/rhat.png").isPresent());
        for (String bad : List.of("../secret.txt", "/etc/passwd", "outputs/../../secret.txt", "link.png", ".hidden",
                "outputs", "a\\b", "")) {
            assertTrue(RunFiles.file(dir, bad).isEmpty(), bad);
        }
        assertEquals(List.of("samples.png", "outputs/mcmc/rhat.png"), RunFiles.pictures(dir).stream()
                .filter(p -> !p.equals("link.png")).toList());
    }

    @Test
    void curvesComeFromTheMetricsLogSkippingCutLinesAndNonFiniteValues() throws Exception {
        Path dir = Files.createDirectories(runs.resolve("r"));
        StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            log.append("{\"component\":\"em\",\"phase\":\"train\",\"step\":").append(i)
                    .append(",\"values\":{\"loglik\":").append(-1.0 / i).append("}}\n");
        }
        log.append("{\"component\":\"hmc\",\"phase\":\"sample\",\"step\":1,\"values\":{\"a\":\"NaN\",\"b\":0.5}}\n");
        log.append("{\"component\":\"hmc\",\"phase\":\"sam"); // killed while writing
        Files.writeString(dir.resolve("metrics.jsonl"), log);
        JsonNode curves = RunFiles.curves(dir, new ObjectMapper());
        JsonNode em = curves.path("train").path("em/loglik");
        assertTrue(em.size() <= RunFiles.MAX_POINTS_PER_SERIES + 1, "thinned: " + em.size());
        assertEquals(1.0, em.get(0).get(0).asDouble());
        assertEquals(5000.0, em.get(em.size() - 1).get(0).asDouble(), "the last point is kept");
        assertEquals(-1.0 / 5000, em.get(em.size() - 1).get(1).asDouble(), 1e-15);
        assertTrue(curves.path("sample").path("hmc/a").isMissingNode(), "NaN is not drawn");
        assertEquals(0.5, curves.path("sample").path("hmc/b").get(0).get(1).asDouble());
    }
}
