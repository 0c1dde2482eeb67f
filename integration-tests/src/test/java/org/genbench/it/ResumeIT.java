package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
    void aKilledRunIsMarkedInterruptedAndResumesFromItsLastCheckpointToTheSameNumbers() throws Exception {
        Path spec = Files.createDirectories(workspace.resolve("experiments")).resolve("long-em.json");
        Files.writeString(spec, SPEC);
        Path tmp = workspace.resolve("tmp");

        Process killed = TestHost.cli(workspace, tmp, workspace.resolve("killed.log"), List.of(), null, "run", spec.toString());
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
        JsonNode left = TestHost.read(dir.resolve("run.json"));
        assertEquals("running", left.path("status").asText());
        String started = left.path("started").asText();
        assertEquals(1, TestHost.storageFolders(tmp).size(), "SIGKILL leaves the framework storage behind");
        try (var checkpoints = Files.list(dir.resolve("checkpoints"))) {
            assertTrue(checkpoints.anyMatch(c -> c.getFileName().toString().startsWith("step-")), "a checkpoint exists");
        }

        // The next start (here: `genbench runs`) sees the owner is gone: the run is interrupted, the storage reclaimed.
        Process runsVerb = TestHost.cli(workspace, tmp, workspace.resolve("runs.log"), List.of(), null, "runs");
        assertTrue(runsVerb.waitFor(120, TimeUnit.SECONDS));
        String listed = Files.readString(workspace.resolve("runs.log"));
        assertTrue(listed.lines().anyMatch(l -> l.contains(dir.getFileName().toString()) && l.contains("interrupted")
                && l.contains("ended without recording an outcome") && l.contains("(last step: train em step ")), listed);
        assertEquals(List.of(), TestHost.storageFolders(tmp), "the dead process's storage is reclaimed");
        assertEquals("interrupted", TestHost.read(dir.resolve("run.json")).path("status").asText());

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
            assertEquals(-1, Files.mismatch(dir.resolve("metrics.json"), freshDir.resolve("metrics.json")), "byte for byte");

            JsonNode run = TestHost.read(dir.resolve("run.json"));
            assertEquals("completed", run.path("status").asText());
            assertEquals(started, run.path("started").asText(), "started is kept");
            assertEquals(1, run.path("resumed").size(), run::toString);
            List<Long> steps = Files.readAllLines(dir.resolve("metrics.jsonl")).stream().map(ResumeIT::json)
                    .filter(n -> n.path("phase").asText().equals("train")).map(n -> n.path("step").asLong()).toList();
            assertEquals(java.util.stream.LongStream.rangeClosed(1, 500).boxed().toList(), steps, "each step once");

            byte[] before = Files.readAllBytes(dir.resolve("run.json"));
            TestHost.Result again = host.exec("resume", dir.getFileName().toString());
            assertEquals(0, again.status(), again::toString);
            assertTrue(again.out().contains("already completed") && again.out().contains("resume --force"), again::toString);
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("run.json"))), "nothing changed");
        }
    }

    static JsonNode json(String line) {
        try {
            return TestHost.JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
