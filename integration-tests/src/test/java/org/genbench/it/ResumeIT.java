package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run killed with SIGKILL mid-training resumes from its last checkpoint and ends where an uninterrupted one does. */
class ResumeIT {
    static final String SPEC = """
            {"name": "long-em", "seed": 11,
             "dataset": {"type": "toy", "config": {"shape": "checkerboard", "train": 10000, "test": 1000}},
             "model": {"type": "gmm", "config": {"components": 16}},
             "trainer": {"type": "em", "config": {"maxIterations": 500, "tolerance": 0, "checkpointEvery": 20}},
             "samplers": [{"type": "ancestral", "config": {"samples": 500}}],
             "evaluators": [{"type": "loglik"}]}""";

    @TempDir
    Path workspace;

    @Test
    void aKilledRunResumesFromItsLastCheckpointToTheSameNumbers() throws Exception {
        Path spec = Files.createDirectories(workspace.resolve("experiments")).resolve("long-em.json");
        Files.writeString(spec, SPEC);

        Process killed = cli(workspace, "run", spec.toString());
        Path runs = workspace.resolve("runs");
        Path log = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (log == null && Files.isDirectory(runs)) {
                try (var dirs = Files.list(runs)) {
                    log = dirs.map(d -> d.resolve("metrics.jsonl")).filter(Files::exists).findFirst().orElse(null);
                }
            }
            if (log != null && Files.readAllLines(log).size() >= 60) {
                break;
            }
            assertTrue(killed.isAlive(), "the run ended before it could be killed");
            Thread.sleep(10);
        }
        killed.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no chance to tidy up
        Path dir = log.getParent();
        assertEquals("running", TestHost.read(dir.resolve("run.json")).path("status").asText());
        try (var checkpoints = Files.list(dir.resolve("checkpoints"))) {
            assertTrue(checkpoints.anyMatch(c -> c.getFileName().toString().startsWith("step-")), "a checkpoint exists");
        }

        try (TestHost host = new TestHost(workspace)) {
            TestHost.Result resumed = host.exec("resume", dir.getFileName().toString());
            assertEquals(0, resumed.status(), resumed::toString);
            TestHost.Result fresh = host.exec("run", spec.toString());
            assertEquals(0, fresh.status(), fresh::toString);
            Path freshDir;
            try (var dirs = Files.list(runs)) {
                freshDir = dirs.filter(d -> !d.equals(dir)).findFirst().orElseThrow();
            }
            JsonNode a = TestHost.read(dir.resolve("metrics.json")).path("metrics");
            JsonNode b = TestHost.read(freshDir.resolve("metrics.json")).path("metrics");
            assertEquals(b, a, "the resumed run's final metrics equal an uninterrupted run's");
            assertEquals(500, TestHost.metric(dir, "em", "iterations"));
            assertEquals(-1, Files.mismatch(dir.resolve("checkpoint/gmm.json"), freshDir.resolve("checkpoint/gmm.json")),
                    "and so does the trained model");
        }
    }

    /** bin/genbench's java command, as a separate process that can be killed. */
    private static Process cli(Path workspace, String... args) throws Exception {
        Path lib = TestHost.HOME.resolve("bundles/launcher/target");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dgenbench.home=" + TestHost.HOME, "-cp", lib.resolve("launcher.jar") + File.pathSeparator + lib.resolve("lib") + "/*",
                "org.genbench.launcher.Main", "--workspace", workspace.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(workspace.resolve("killed.log").toFile()).start();
    }
}
