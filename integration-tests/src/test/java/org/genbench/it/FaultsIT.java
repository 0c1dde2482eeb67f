package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plug-in that misbehaves (bundles/faults, hot-loaded from workspace/plugins/) fails only its own run,
 * promptly, with the reason in run.json and in what the CLI says; the workbench goes on. Then the process itself
 * ends abnormally (SIGTERM, out of memory, a full disk, a timeout from the command line) and the run is still
 * recorded honestly, with no framework storage left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    /** Fixed Gaussian, no trainer unless a test adds one; the faulty sampler and evaluator do as %s say. */
    static final String SPEC = """
            {"name": "%s", "seed": 3,
             "dataset": {"type": "toy", "config": {"train": 500, "test": 200}},
             "model": {"type": "fixed-gaussian", "config": {"scale": 2.0}},
             %s
             "samplers": [{"type": "faulty", "config": %s}, {"type": "ancestral", "config": {"samples": %d}}],
             "evaluators": [{"type": "loglik"}, {"type": "faulty", "config": %s}]}""";
    static final double PHASE_TIMEOUT = 3;

    @TempDir
    static Path workspace;
    static TestHost host;
    static Path jar;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace, org.genbench.launcher.HostConfig.DEFAULT_FEATURES,
                Map.of("genbench.phase.timeout", Double.toString(PHASE_TIMEOUT)));
        try (var files = Files.list(TestHost.HOME.resolve("features/target/bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("faults-")).findFirst().orElseThrow();
        }
        drop();
    }

    static void drop() throws Exception {
        Path part = workspace.resolve("plugins/faults.jar.part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, workspace.resolve("plugins/faults.jar"), StandardCopyOption.ATOMIC_MOVE);
        awaitList(out -> out.contains(" fixed-gaussian "));
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    static String spec(String name, String trainer, String sampler, int samples, String evaluator) {
        return SPEC.formatted(name, trainer == null ? "" : "\"trainer\": " + trainer + ",", sampler, samples, evaluator);
    }

    static TestHost.Result run(String name, String json) throws Exception {
        return host.exec("run", host.spec(name, json).toString());
    }

    static JsonNode runJson(String name) throws Exception {
        return TestHost.read(host.runDir(name).resolve("run.json"));
    }

    @Test
    @Order(1)
    void aModelWithNothingToFitRunsWithoutATrainerAndListSaysSo() throws Exception {
        TestHost.Result r = run("no-trainer", spec("no-trainer", null, "{}", 1000, "{}"));
        assertEquals(0, r.status(), r::toString);
        Path dir = host.runDir("no-trainer");
        assertTrue(TestHost.read(dir.resolve("spec.json")).get("trainer").isNull());
        // N(0, 4 I) in 2-D scored on data that is not from it: a finite log-likelihood
        assertTrue(Double.isFinite(TestHost.metric(dir, "loglik", "test_loglik")));
        String model = host.exec("list").out().lines().filter(l -> l.contains(" fixed-gaussian ")).findFirst().orElseThrow();
        assertTrue(model.contains("needs no trainer"), model);
        TestHost.Result gmm = host.exec("check", host.spec("gmm-no-trainer", SpecErrorsIT.GOOD
                .replace("\"trainer\": {\"type\": \"em\", \"config\": {\"maxIterations\": 3}},", "")).toString());
        assertEquals(1, gmm.status());
        assertTrue(gmm.err().contains("trainer is missing: model 'gmm' must be fitted before it can be used; installed trainers"
                + " that fit it: em, faulty; installed models that need no trainer: fixed-gaussian"), gmm::toString);
    }

    @Test
    @Order(2)
    void aComponentThatThrowsFailsItsRunAndTheWorkbenchGoesOn() throws Exception {
        TestHost.Result r = run("throws", spec("throws", null, "{\"fault\": \"throw\"}", 10, "{}"));
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("failed: sample of faulty failed: IllegalStateException: sampler 'faulty' failed on purpose"),
                r::toString);
        assertTrue(r.err().contains("error.log"), "the trace is beside the run, not on the terminal: " + r);
        assertFalse(r.err().contains("\tat "), r::toString);
        assertEquals("failed", runJson("throws").path("status").asText());
        TestHost.Result after = run("after-throw", spec("after-throw", null, "{}", 10, "{}"));
        assertEquals(0, after.status(), after::toString);
    }

    @Test
    @Order(3)
    void trainingThatDivergesStopsAtTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        TestHost.Result r = run("diverges", spec("diverges", "{\"type\": \"faulty\", \"config\": {\"steps\": 40, \"fault\": \"nan\","
                + " \"at\": 25, \"checkpointEvery\": 5}}", "{}", 10, "{}"));
        assertEquals(1, r.status(), r::toString);
        JsonNode run = runJson("diverges");
        assertEquals("diverged: trainer (faulty) reached loss = NaN at step 25; the last good checkpoint is step 20 (resume "
                + "continues from it)", run.path("error").asText());
        Path dir = host.runDir("diverges");
        assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-20")));
        assertFalse(Files.exists(dir.resolve("checkpoints/step-25")), "the checkpoint saved at the diverging step is dropped");
    }

    @Test
    @Order(4)
    void aHangIsStoppedByThePhaseTimeoutAndOneThatIgnoresItIsAbandoned() throws Exception {
        long t0 = System.nanoTime();
        TestHost.Result r = run("hangs", spec("hangs", null, "{\"fault\": \"hang\"}", 10, "{}"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("timed out: sample of faulty ran longer than the phase timeout of 3 s"), r::toString);
        assertTrue(seconds < PHASE_TIMEOUT + 5, "promptly: " + seconds + " s");

        t0 = System.nanoTime();
        TestHost.Result hard = run("hangs-hard", spec("hangs-hard", null, "{}", 10, "{\"fault\": \"hang-hard\"}"));
        seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, hard.status(), hard::toString);
        assertTrue(hard.err().contains("evaluate of faulty did not stop within 5 s of being asked and was abandoned"), hard::toString);
        assertTrue(seconds < PHASE_TIMEOUT + 5 + 5, "the grace period and no more: " + seconds + " s");
        assertEquals("failed", runJson("hangs-hard").path("status").asText());
        assertEquals(0, run("after-hang", spec("after-hang", null, "{}", 10, "{}")).status(), "the workbench goes on");
    }

    @Test
    @Order(5)
    void aPluginUninstalledMidRunStopsItAtTheNextStepBeforeItWritesSamples() throws Exception {
        CompletableFuture<TestHost.Result> result = CompletableFuture.supplyAsync(() -> {
            try {
                return run("leaves", spec("leaves", null, "{\"steps\": 100000, \"stepMillis\": 2}", 10, "{}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path log = null;
        for (int i = 0; i < 2000 && (log == null || !Files.readString(log).contains("\"sample\"")); i++) {
            Thread.sleep(20);
            try (var dirs = Files.list(workspace.resolve("runs"))) {
                log = dirs.filter(d -> d.getFileName().toString().contains("leaves")).map(d -> d.resolve("metrics.jsonl"))
                        .filter(Files::exists).findFirst().orElse(null);
            }
        }
        long t0 = System.nanoTime();
        Files.delete(workspace.resolve("plugins/faults.jar"));
        TestHost.Result r = result.get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("(bundle org.genbench.faults) was removed while the run used it"), r::toString);
        assertTrue(seconds < 5, "within a poll of the plugins folder and a step: " + seconds + " s");
        assertFalse(Files.exists(log.resolveSibling("samples/faulty.arrow")), "no samples written after the departure");
        drop();
    }

    // ---- the process ends abnormally

    /** SIGTERM (what kill and a terminal's close send): the shutdown hook records the run as interrupted. */
    @Test
    @Order(10)
    void sigtermRecordsTheRunAsInterruptedAndRemovesTheFrameworkStorage() throws Exception {
        Path tmp = workspace.resolve("tmp-term");
        Path spec = host.spec("term", spec("term", null, "{\"steps\": 100000, \"stepMillis\": 2}", 10, "{}"));
        Process p = TestHost.cli(workspace, tmp, workspace.resolve("term.log"), List.of(), null, "run", spec.toString());
        Path dir = awaitLog("term", "\"sample\"", p);
        assertEquals(1, TestHost.storageFolders(tmp).size(), "the process holds its framework storage");
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends");
        JsonNode run = TestHost.read(dir.resolve("run.json"));
        assertEquals("interrupted", run.path("status").asText(), run::toString);
        assertTrue(run.path("error").asText().startsWith("the workbench stopped while the run was going"), run::toString);
        assertEquals("sample", run.path("lastStep").path("phase").asText(), run::toString);
        assertEquals(List.of(), TestHost.storageFolders(tmp), "storage removed on the way out");
    }

    /** The JVM runs out of heap inside a component: the run fails with a message, the process exits normally. */
    @Test
    @Order(11)
    void outOfMemoryFailsTheRunWithAMessage() throws Exception {
        Path tmp = workspace.resolve("tmp-oom");
        Path spec = host.spec("oom", spec("oom", null, "{\"fault\": \"oom\"}", 10, "{}"));
        Process p = TestHost.cli(workspace, tmp, workspace.resolve("oom.log"), List.of("-Xmx300m"), null, "run", spec.toString());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ends");
        assertEquals(1, p.exitValue(), Files.readString(workspace.resolve("oom.log")));
        JsonNode run = runJson("oom");
        assertEquals("failed", run.path("status").asText());
        assertTrue(run.path("error").asText().startsWith("out of memory during sample of faulty"), run::toString);
        assertTrue(Files.readString(workspace.resolve("oom.log")).contains("out of memory during sample of faulty"));
        assertEquals(List.of(), TestHost.storageFolders(tmp));
    }

    /** A file size limit (what a full disk looks like to a writer): no half-written samples file is left to be trusted. */
    @Test
    @Order(12)
    void aFullDiskFailsTheRunAndLeavesNoHalfWrittenFile() throws Exception {
        Path tmp = workspace.resolve("tmp-full");
        // 500000 samples of 2 floats: a 4 MB Arrow file against a 2 MB limit
        Path spec = host.spec("full", spec("full", null, "{}", 500_000, "{}"));
        Process p = TestHost.cli(workspace, tmp, workspace.resolve("full.log"), List.of(), "ulimit -f 2048;", "run", spec.toString());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ends");
        String out = Files.readString(workspace.resolve("full.log"));
        assertEquals(1, p.exitValue(), out);
        JsonNode run = runJson("full");
        assertEquals("failed", run.path("status").asText());
        assertTrue(run.path("error").asText().contains("File too large"), run::toString);
        Path samples = host.runDir("full").resolve("samples");
        try (var files = Files.list(samples)) {
            assertEquals(List.of("faulty.arrow"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "the small file was written whole; of the large one, not even a temporary is left");
        }
        assertEquals(List.of(), TestHost.storageFolders(tmp));
    }

    /** The phase timeout from the command line, and the thread setting that cannot exceed the cores. */
    @Test
    @Order(13)
    void thePhaseTimeoutAndThreadsAreCommandLineSettings() throws Exception {
        Path tmp = workspace.resolve("tmp-cli");
        Path spec = host.spec("cli-timeout", spec("cli-timeout", null, "{\"fault\": \"hang\"}", 10, "{}"));
        int cores = Runtime.getRuntime().availableProcessors();
        Process p = TestHost.cli(workspace, tmp, workspace.resolve("cli.log"), List.of(), null, "--phase-timeout", "2",
                "--threads", Integer.toString(cores + 5), "run", spec.toString());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process ends");
        String out = Files.readString(workspace.resolve("cli.log"));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("--threads " + (cores + 5) + " is more than the " + cores + " cores available; using " + cores), out);
        assertTrue(out.contains("timed out: sample of faulty ran longer than the phase timeout of 2 s"), out);
        assertEquals("failed", runJson("cli-timeout").path("status").asText());
        assertEquals(List.of(), TestHost.storageFolders(tmp));
        Process bad = TestHost.cli(workspace, tmp, workspace.resolve("bad.log"), List.of(), null, "--threads", "zero", "list");
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertTrue(Files.readString(workspace.resolve("bad.log")).contains("--threads must be an integer from 1 to " + cores
                + " (the cores available), was 'zero'"));
    }

    static Path awaitLog(String name, String contains, Process p) throws Exception {
        for (int i = 0; i < 6000; i++) {
            if (!p.isAlive()) {
                throw new AssertionError("the process ended early: " + Files.readString(workspace.resolve(name + ".log")));
            }
            try (var dirs = Files.list(workspace.resolve("runs"))) {
                Path log = dirs.filter(d -> d.getFileName().toString().contains(name)).map(d -> d.resolve("metrics.jsonl"))
                        .filter(Files::exists).findFirst().orElse(null);
                if (log != null && Files.readString(log).contains(contains)) {
                    return log.getParent();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + contains + " in the log of " + name);
    }

    static void awaitList(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.test(host.exec("list").out())) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out; list shows:\n" + host.exec("list").out());
    }
}
