package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-seed x 3-setting sweep, run by bin/genbench's own entry point in a separate JVM and killed (SIGKILL) in the
 * middle of a run, then run again: the second sweep runs only what was missing, replaces the killed run's directory,
 * and ends with the compare table (mean ± sd over the seeds of each setting) and the plot.
 */
class SweepIT {
    static final String SPEC = """
            {"name": "k-sweep", "seed": 1,
             "dataset": {"type": "toy", "config": {"shape": "eight-gaussians", "train": 600, "test": 300}},
             "model": {"type": "gmm", "config": {"components": 8}},
             "trainer": {"type": "em", "config": {"maxIterations": 10}},
             "samplers": [{"type": "ancestral", "config": {"samples": 200}}],
             "evaluators": [{"type": "loglik"}],
             "sweep": {"seeds": [1, 2, 3], "grid": {"model.config.components": [1, 2, 4]}}}""";

    @TempDir
    Path workspace;

    @Test
    void aKilledSweepRunAgainFinishesOnlyWhatWasMissing() throws Exception {
        Path spec = Files.createDirectories(workspace.resolve("experiments")).resolve("k-sweep.json");
        Files.writeString(spec, SPEC);
        Path points = workspace.resolve("sweeps/k-sweep/points");

        Process sweep = genbench("sweep", spec.toString());
        Map<String, JsonNode> atKill;
        try {
            atKill = awaitKillPoint(points, sweep);
        } finally {
            sweep.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        List<String> completedAtKill = atKill.values().stream().filter(n -> n.path("status").asText().equals("completed"))
                .map(n -> n.path("run").asText()).toList();
        String killedRun = atKill.values().stream().filter(n -> n.path("status").asText().equals("running"))
                .map(n -> n.path("run").asText()).findFirst().orElseThrow();
        assertTrue(completedAtKill.size() >= 2 && completedAtKill.size() < 9, completedAtKill::toString);
        assertEquals("running", TestHost.read(workspace.resolve("runs").resolve(killedRun).resolve("run.json"))
                .path("status").asText(), "the killed run was cut off mid-way");

        try (TestHost host = new TestHost(workspace)) {
            TestHost.Result again = host.exec("sweep", spec.toString());
            assertEquals(0, again.status(), again::toString);
            int missing = 9 - completedAtKill.size();
            assertTrue(again.err().contains(completedAtKill.size() + " done, " + missing + " to run"), again.err());
            assertEquals(missing, again.err().lines().filter(l -> l.matches("\\[\\d+/\\d+] .*")).count(), again.err());

            // Every completed run was kept; the killed one was replaced; one run directory per point.
            Map<String, JsonNode> after = pointFiles(points);
            assertEquals(9, after.size());
            List<String> runs = new ArrayList<>();
            for (JsonNode n : after.values()) {
                assertEquals("completed", n.path("status").asText(), n::toString);
                runs.add(n.path("run").asText());
            }
            assertTrue(runs.containsAll(completedAtKill));
            assertFalse(runs.contains(killedRun));
            assertFalse(Files.exists(workspace.resolve("runs").resolve(killedRun)), "the killed run's directory is gone");
            try (Stream<Path> dirs = Files.list(workspace.resolve("runs"))) {
                assertEquals(9, dirs.count());
            }

            // The table: one column per setting, the mean ± sd of its three seeds' metrics.json values.
            List<String> lines = again.out().lines().toList();
            String header = lines.stream().filter(l -> l.startsWith("metric")).findFirst().orElseThrow();
            assertTrue(header.contains("components-1 (n=3)") && header.contains("components-4 (n=3)"), header);
            String row = lines.stream().filter(l -> l.startsWith("loglik/test_loglik ")).findFirst().orElseThrow();
            Map<String, List<Double>> bySetting = new HashMap<>();
            for (JsonNode n : after.values()) {
                Path dir = workspace.resolve("runs").resolve(n.path("run").asText());
                bySetting.computeIfAbsent(n.path("label").asText(), k -> new ArrayList<>())
                        .add(TestHost.metric(dir, "loglik", "test_loglik"));
            }
            for (String setting : List.of("components-1", "components-2", "components-4")) {
                List<Double> v = bySetting.get(setting);
                double mean = v.stream().mapToDouble(d -> d).average().orElseThrow();
                double sd = Math.sqrt(v.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / (v.size() - 1));
                String cell = String.format(Locale.ROOT, "%.4f ± %s", mean,
                        sd >= 1e-3 ? String.format(Locale.ROOT, "%.4f", sd) : String.format(Locale.ROOT, "%.4e", sd));
                assertTrue(row.contains(cell), setting + ": " + cell + " in " + row);
            }
            // More components fit eight Gaussians better, on held-out data too.
            assertTrue(bySetting.get("components-4").stream().mapToDouble(d -> d).min().orElseThrow()
                    > bySetting.get("components-1").stream().mapToDouble(d -> d).max().orElseThrow());

            Path plot = workspace.resolve("sweeps/k-sweep/sweep.png");
            BufferedImage png = javax.imageio.ImageIO.read(plot.toFile());
            assertTrue(png.getWidth() >= 400 && png.getHeight() >= 300, png.getWidth() + "x" + png.getHeight());
            assertTrue(again.out().contains("plot: " + plot), again.out());
            assertTrue(Files.readString(workspace.resolve("sweeps/k-sweep/compare.txt")).contains("every run:"));

            TestHost.Result thirdTime = host.exec("sweep", spec.toString());
            assertTrue(thirdTime.err().contains("9 done, 0 to run"), thirdTime.err());
        }
    }

    @Test
    void theNotebookClientRunsASweepOfAnExperimentAndReadsItsTableAndPlot() throws Exception {
        try (TestHost host = new TestHost(workspace)) {
            org.genbench.notebook.Genbench g = org.genbench.notebook.Genbench.attach(host.host, TestHost.HOME, workspace);
            org.genbench.notebook.Experiment e = org.genbench.notebook.Experiment.named("nb-sweep")
                    .dataset("toy", Map.of("shape", "two-moons", "train", 400, "test", 200))
                    .model("gmm", Map.of("components", 2)).trainer("em", Map.of("maxIterations", 5))
                    .evaluator("loglik");
            org.genbench.notebook.Sweep s = g.sweep(e, Map.of("model.config.components", List.of(1, 3)), 1, 2);
            assertEquals(4, s.completed());
            assertEquals(List.of("components-1", "components-3"), s.settings());
            assertEquals(4, s.runs().size());
            assertEquals(List.of("metric", "kind", "components-1", "components-3"), s.wide().columns());
            org.genbench.notebook.Table t = s.table().where("metric", "loglik/test_loglik");
            assertEquals(2, t.size());
            assertEquals(2, ((Number) t.get(0, "n")).intValue());
            assertTrue(s.plot() != null);
            // Run again: nothing to do, the same table.
            assertEquals(s.wide(), g.sweep(e, Map.of("model.config.components", List.of(1, 3)), 1, 2).wide());
        }
    }

    /** Waits until two or more points completed and another is under way with its run directory; returns the records. */
    private static Map<String, JsonNode> awaitKillPoint(Path points, Process sweep) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!sweep.isAlive()) {
                throw new AssertionError("the sweep ended before it could be killed: "
                        + new String(sweep.getInputStream().readAllBytes()));
            }
            Map<String, JsonNode> files = pointFiles(points);
            long completed = files.values().stream().filter(n -> n.path("status").asText().equals("completed")).count();
            boolean running = files.values().stream().anyMatch(n -> n.path("status").asText().equals("running")
                    && n.hasNonNull("run"));
            if (completed >= 3 && running) {
                sweep.destroyForcibly(); // SIGKILL: no shutdown hook records anything
                sweep.waitFor(30, TimeUnit.SECONDS);
                return pointFiles(points);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the sweep did not get going within 5 minutes");
    }

    private static Map<String, JsonNode> pointFiles(Path points) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        if (!Files.isDirectory(points)) {
            return out;
        }
        try (Stream<Path> files = Files.list(points)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                try {
                    out.put(f.getFileName().toString(), TestHost.read(f));
                } catch (java.io.IOException e) {
                    // being replaced this instant
                }
            }
        }
        return out;
    }

    /** bin/genbench's JVM: the launcher and its libraries, the workspace of this test. */
    private Process genbench(String... args) throws Exception {
        Path launcher = TestHost.HOME.resolve("bundles/launcher/target");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dgenbench.home=" + TestHost.HOME, "-cp",
                launcher.resolve("launcher.jar") + File.pathSeparator + launcher.resolve("lib") + File.separator + "*",
                "org.genbench.launcher.Main", "--workspace", workspace.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workspace.resolve("first-sweep.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }
}
