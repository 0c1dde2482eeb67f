package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;
import org.genbench.launcher.SparkSweeps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps on Apache Spark in local mode ({@code local[2]}: two executor threads in this JVM sharing one embedded
 * workbench), against the same sweep run locally.
 */
class SparkSweepIT {
    static final String SPEC = """
            {"name": "spark-sweep", "seed": 1,
             "dataset": {"type": "toy", "config": {"shape": "eight-gaussians", "train": 600, "test": 300}},
             "model": {"type": "gmm", "config": {"components": 8}},
             "trainer": {"type": "em", "config": {"maxIterations": 10}},
             "samplers": [{"type": "ancestral", "config": {"samples": 200}}],
             "evaluators": [{"type": "loglik"}],
             "sweep": {"seeds": [1, 2, 3], "grid": {"model.config.components": [1, 4]}}}""";

    @TempDir
    Path scratch;

    @Test
    void aSweepOnLocal2GivesExactlyTheMetricsOfTheLocalSweep() throws Exception {
        Path local = scratch.resolve("local");
        Path spark = scratch.resolve("spark");
        Path spec = Files.writeString(Files.createDirectories(scratch.resolve("specs")).resolve("spark-sweep.json"), SPEC);

        try (TestHost host = new TestHost(local)) {
            TestHost.Result r = host.exec("sweep", spec.toString());
            assertEquals(0, r.status(), r::toString);
        }

        HostConfig config = HostConfig.of(TestHost.HOME, spark).withFeatures(List.of("core", "classic"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (Host host = Host.start(config);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            host.commands(Duration.ofSeconds(60));
            status = SparkSweeps.sweep("local[2]", host, config, spec, o, e);
        }
        String said = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said);
        assertTrue(said.contains("sweep spark-sweep on Spark (local[2,4]): 6 runs, 0 done, 6 to run"), said);
        assertTrue(said.contains("Spark: 6 of 6 tasks completed"), said);

        Map<String, JsonNode> a = metricsByPoint(local);
        Map<String, JsonNode> b = metricsByPoint(spark);
        assertEquals(6, a.size());
        assertEquals(a.keySet(), b.keySet(), "the same points");
        for (String key : a.keySet()) {
            assertEquals(a.get(key), b.get(key), "point " + key + ": the same final metrics, exactly");
        }
        // The same compare table: the summary lines (mean ± sd per setting) agree character for character.
        assertEquals(summary(local), summary(spark));
        assertTrue(Files.isRegularFile(spark.resolve("sweeps/spark-sweep/sweep.png")));
        try (Stream<Path> runs = Files.list(spark.resolve("runs"))) {
            assertEquals(6, runs.count(), "one run per point");
        }
        // Samples stay in the run store as Arrow IPC files; the tasks returned only their metrics.
        for (JsonNode p : points(spark).values()) {
            assertTrue(Files.isRegularFile(spark.resolve("runs").resolve(p.path("run").asText()).resolve("samples/ancestral.arrow")));
        }
    }

    static Map<String, JsonNode> points(Path workspace) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(workspace.resolve("sweeps/spark-sweep/points"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode n = TestHost.read(f);
                out.put(n.path("key").asText(), n);
            }
        }
        return out;
    }

    static Map<String, JsonNode> metricsByPoint(Path workspace) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : points(workspace).entrySet()) {
            assertEquals("completed", p.getValue().path("status").asText());
            out.put(p.getKey(), TestHost.read(workspace.resolve("runs").resolve(p.getValue().path("run").asText())
                    .resolve("metrics.json")).path("metrics"));
        }
        return out;
    }

    static List<String> summary(Path workspace) throws Exception {
        List<String> lines = Files.readAllLines(workspace.resolve("sweeps/spark-sweep/compare.txt"));
        return lines.subList(0, lines.indexOf("every run:"));
    }
}
