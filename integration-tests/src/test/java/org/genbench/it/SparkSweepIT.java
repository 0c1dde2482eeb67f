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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;
import org.genbench.launcher.SparkSweeps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps on Apache Spark in local mode ({@code local[2]}: two executor threads in this JVM sharing one embedded
 * workbench), against the same sweep run locally (sequentially, by the {@code sweep} verb).
 */
class SparkSweepIT {
    static final String SPEC = """
            {"name": "spark-sweep", "seed": 1,
             "dataset": {"type": "toy", "config": {"shape": "eight-gaussians", "train": 400, "test": 200}},
             "model": {"type": "gmm", "config": {"components": 8}},
             "trainer": {"type": "em", "config": {"maxIterations": 5}},
             "samplers": [{"type": "ancestral", "config": {"samples": 100}}],
             "evaluators": [{"type": "loglik"}],
             "sweep": {"seeds": [1, 2, 3], "grid": {"model.config.components": [1, 4]}}}""";

    @TempDir
    static Path scratch;
    /** The local sweep of {@link #SPEC}: the reference both tests compare with. */
    static Path local;

    @BeforeAll
    static void localSweep() throws Exception {
        local = scratch.resolve("local");
        try (TestHost host = new TestHost(local)) {
            TestHost.Result r = host.exec("sweep", writeSpec("spark-sweep", SPEC).toString());
            assertEquals(0, r.status(), r::toString);
        }
    }

    @Test
    void aSweepOnLocal2GivesExactlyTheMetricsOfTheLocalSweep() throws Exception {
        Path spark = scratch.resolve("spark");
        Path spec = writeSpec("spark-sweep", SPEC);
        // From the notebook client, as a notebook would: g.sweep(spec, master) on the kernel's own workbench.
        HostConfig config = HostConfig.of(TestHost.HOME, spark).withFeatures(List.of("core", "classic"));
        org.genbench.notebook.Sweep sweep;
        try (Host host = Host.start(config)) {
            host.commands(Duration.ofSeconds(60));
            sweep = org.genbench.notebook.Genbench.attach(host, TestHost.HOME, spark).sweep(spec, "local[2]");
        }
        assertEquals(6, sweep.completed());
        assertEquals(6, sweep.total());
        assertEquals(org.genbench.notebook.Sweep.open(local, "spark-sweep").table(), sweep.table(), "mean and sd per setting, exactly");
        for (JsonNode p : points(spark, "spark-sweep").values()) {
            assertEquals(1, p.path("attempts").asInt(), p.toString());
        }

        Map<String, JsonNode> a = metricsByPoint(local, "spark-sweep");
        Map<String, JsonNode> b = metricsByPoint(spark, "spark-sweep");
        assertEquals(6, a.size());
        assertEquals(a.keySet(), b.keySet(), "the same points");
        for (String key : a.keySet()) {
            assertEquals(a.get(key), b.get(key), "point " + key + ": the same final metrics, exactly");
        }
        // The same compare table: the summary lines (mean ± sd per setting) agree character for character.
        assertEquals(summary(local, "spark-sweep"), summary(spark, "spark-sweep"));
        assertTrue(Files.isRegularFile(spark.resolve("sweeps/spark-sweep/sweep.png")));
        try (Stream<Path> runs = Files.list(spark.resolve("runs"))) {
            assertEquals(6, runs.count(), "one run per point");
        }
        // Samples stay in the run store as Arrow IPC files; the tasks returned only their metrics.
        for (JsonNode p : points(spark, "spark-sweep").values()) {
            assertTrue(Files.isRegularFile(spark.resolve("runs").resolve(p.path("run").asText()).resolve("samples/ancestral.arrow")));
        }
        // Run again: nothing is missing, so no Spark job starts, and the table is written again.
        String again = sparkSweep(spark, spec, false);
        assertTrue(again.contains("sweep spark-sweep on Spark (local[2,4]): 6 runs, 6 done, 0 to run"), again);
        assertTrue(!again.contains("Spark: "), again);
    }

    @Test
    void aTaskThatFailsMidRunIsRetriedAndEndsWithOneCleanRunPerPoint() throws Exception {
        Path flaky = scratch.resolve("flaky");
        Path marker = scratch.resolve("fail-once.marker");
        // The test-only evaluator (bundle testing.flaky, in no feature) fails the first run that reaches it, after
        // training and sampling wrote their files: one task dies mid-run; Spark retries it; the retry replaces the
        // failed attempt's run directory.
        Files.createDirectories(flaky.resolve("plugins"));
        try (Stream<Path> jars = Files.list(TestHost.HOME.resolve("bundles/testing.flaky/target"))) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("testing\\.flaky-.*\\.jar")).findFirst().orElseThrow();
            Files.copy(jar, flaky.resolve("plugins/testing.flaky.jar"));
        }
        String evaluators = "[{\"type\": \"loglik\"}]";
        assertTrue(SPEC.contains(evaluators));
        // two seeds of the two settings (4 tasks): a subset of the local sweep's points, to compare with
        Path spec = writeSpec("spark-sweep", SPEC.replace("\"seeds\": [1, 2, 3]", "\"seeds\": [1, 2]")
                .replace(evaluators, "[{\"type\": \"loglik\"}, {\"type\": \"fail-once\", "
                + "\"config\": {\"marker\": \"" + marker.toString().replace("\\", "\\\\") + "\"}}]"));

        String said = sparkSweep(flaky, spec, true);
        assertTrue(Files.exists(marker), "the evaluator ran and failed a run");
        assertTrue(said.contains("Spark: 4 of 4 tasks completed"), said);

        Map<String, JsonNode> points = points(flaky, "spark-sweep");
        assertEquals(4, points.size());
        int retried = 0;
        for (JsonNode p : points.values()) {
            assertEquals("completed", p.path("status").asText(), p.toString());
            retried += p.path("attempts").asInt() - 1;
        }
        assertEquals(1, retried, "exactly one task failed its first attempt and was retried once: " + points.values());
        try (Stream<Path> runs = Files.list(flaky.resolve("runs"))) {
            assertEquals(points.values().stream().map(p -> p.path("run").asText()).sorted().toList(),
                    runs.map(p -> p.getFileName().toString()).sorted().toList(),
                    "one run directory per point: the failed attempt's was replaced, not kept beside it or merged");
        }
        // Every run, the retried one too, is complete and has the metrics of the local sweep (which never failed).
        Map<String, List<JsonNode>> reference = new TreeMap<>();
        for (JsonNode p : points(local, "spark-sweep").values()) {
            reference.put(p.path("label").asText() + " seed " + p.path("seed").asInt(), loglik(local, p));
        }
        for (JsonNode p : points.values()) {
            Path run = flaky.resolve("runs").resolve(p.path("run").asText());
            assertEquals(1.0, TestHost.metric(run, "fail-once", "samplers"), "the retried evaluator reported: " + run);
            assertEquals(reference.get(p.path("label").asText() + " seed " + p.path("seed").asInt()), loglik(flaky, p),
                    "point " + p.path("label").asText() + " seed " + p.path("seed").asInt() + " (attempts "
                            + p.path("attempts").asInt() + "): the local sweep's loglik, exactly");
        }
    }

    /** Runs the sweep in {@code spec} on local[2] with a workbench of its own on {@code workspace}; returns its output. */
    static String sparkSweep(Path workspace, Path spec, boolean awaitFlaky) throws Exception {
        HostConfig config = HostConfig.of(TestHost.HOME, workspace).withFeatures(List.of("core", "classic"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (Host host = Host.start(config);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            host.commands(Duration.ofSeconds(60));
            if (awaitFlaky) {
                awaitComponent(host, "fail-once");
            }
            status = SparkSweeps.sweep("local[2]", host, config, spec, o, e);
        }
        String said = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said);
        return said;
    }

    static void awaitComponent(Host host, String name) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String listed = "";
        while (System.nanoTime() < deadline) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                host.execute(List.of("list"), o, o);
            }
            listed = out.toString(StandardCharsets.UTF_8);
            if (listed.lines().anyMatch(l -> l.contains(" " + name + " "))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the plug-in's " + name + " never appeared; list shows:\n" + listed);
    }

    static Path writeSpec(String name, String text) throws Exception {
        return Files.writeString(Files.createDirectories(scratch.resolve("specs")).resolve(name + "-" + text.hashCode()
                + ".json"), text);
    }

    static Map<String, JsonNode> points(Path workspace, String sweep) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(workspace.resolve("sweeps").resolve(sweep).resolve("points"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode n = TestHost.read(f);
                out.put(n.path("key").asText(), n);
            }
        }
        return out;
    }

    static Map<String, JsonNode> metricsByPoint(Path workspace, String sweep) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> p : points(workspace, sweep).entrySet()) {
            assertEquals("completed", p.getValue().path("status").asText());
            out.put(p.getKey(), TestHost.read(workspace.resolve("runs").resolve(p.getValue().path("run").asText())
                    .resolve("metrics.json")).path("metrics"));
        }
        return out;
    }

    /** The loglik evaluator's final metrics of a point's run. */
    static List<JsonNode> loglik(Path workspace, JsonNode point) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : TestHost.read(workspace.resolve("runs").resolve(point.path("run").asText())
                .resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals("loglik")) {
                out.add(m);
            }
        }
        assertTrue(!out.isEmpty(), "no loglik metrics for " + point);
        return out;
    }

    static List<String> summary(Path workspace, String sweep) throws Exception {
        List<String> lines = Files.readAllLines(workspace.resolve("sweeps").resolve(sweep).resolve("compare.txt"));
        return lines.subList(0, lines.indexOf("every run:"));
    }
}
