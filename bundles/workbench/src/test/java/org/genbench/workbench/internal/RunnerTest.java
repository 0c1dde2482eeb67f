package org.genbench.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.genbench.api.DataInfo;
import org.genbench.api.DataSize;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.RunContext;
import org.genbench.api.spec.ComponentSpec;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.faults.internal.FaultyEvaluator;
import org.genbench.faults.internal.FaultySampler;
import org.genbench.faults.internal.FaultyTrainer;
import org.genbench.faults.internal.FixedGaussianFamily;
import org.genbench.workbench.RunCompleteException;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunListener;
import org.genbench.workbench.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner with real components that misbehave on request (the faults plug-in): each fault fails or interrupts
 * only its run, promptly, with the reason recorded in run.json, and nothing half-done is trusted afterwards.
 */
class RunnerTest {
    static final Duration GRACE = Duration.ofMillis(300);

    record DataConfig(Integer rows) {
        DataConfig {
            rows = rows == null ? 50 : rows;
        }
    }

    /** 2-D points on a line, as a dataset bundle would yield them. */
    static final class Line implements DatasetProvider<DataConfig> {
        public String name() {
            return "line";
        }

        public String description() {
            return "points on a line";
        }

        public Class<DataConfig> configType() {
            return DataConfig.class;
        }

        public java.util.Optional<DataSize> size(DataConfig c) {
            return java.util.Optional.of(new DataSize(new long[] {2}, Map.of("train", (long) c.rows(), "test", (long) c.rows())));
        }

        public Dataset open(DataConfig c, RunContext context) {
            Map<String, Batch> splits = new java.util.LinkedHashMap<>();
            for (String split : List.of("train", "test")) {
                Tensor t = Tensor.allocate(context.allocator(), DType.FLOAT32, c.rows(), 2);
                for (int i = 0; i < 2 * c.rows(); i++) {
                    t.setDouble(i, i / 100.0);
                }
                splits.put(split, Batch.of(t));
            }
            return new InMemoryDataset(new DataInfo("line", new long[] {2}, DataInfo.CONTINUOUS, 0, "0".repeat(64)), splits);
        }
    }

    @TempDir
    Path workspace;
    final ComponentRegistry registry = new ComponentRegistry();
    final Map<String, RunControl> active = new ConcurrentHashMap<>();

    RunnerTest() {
        registry.add(new Registered(Role.DATASET, new Line(), "t.line", "1", 1));
        registry.add(new Registered(Role.MODEL, new FixedGaussianFamily(), "org.genbench.faults", "1", 2));
        registry.add(new Registered(Role.TRAINER, new FaultyTrainer(), "org.genbench.faults", "1", 3));
        registry.add(new Registered(Role.SAMPLER, new FaultySampler(), "org.genbench.faults", "1", 4));
        registry.add(new Registered(Role.EVALUATOR, new FaultyEvaluator(), "org.genbench.faults", "1", 5));
    }

    Runner runner(Duration phaseTimeout) {
        return new Runner(new RunStore(workspace.resolve("runs")), registry, Map.of(), Map.of(), "test", phaseTimeout, active, GRACE);
    }

    static ExperimentSpec spec(Map<String, Object> trainer, Map<String, Object> sampler, Map<String, Object> evaluator) {
        return new ExperimentSpec("faults", 3L, ComponentSpec.of("line"), ComponentSpec.of("fixed-gaussian"),
                trainer == null ? null : ComponentSpec.of("faulty", trainer), List.of(ComponentSpec.of("faulty", sampler)),
                List.of(ComponentSpec.of("faulty", evaluator)));
    }

    Composition compose(ExperimentSpec spec) throws Exception {
        return new Composer(registry).compose(spec);
    }

    RunFailedException fails(ExperimentSpec spec, Duration phaseTimeout, long withinMillis) throws Exception {
        Composition c = compose(spec);
        long t0 = System.nanoTime();
        RunFailedException e = assertThrows(RunFailedException.class, () -> runner(phaseTimeout).run(c, RunListener.NONE));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < withinMillis, "failed within " + withinMillis + " ms, took " + ms);
        assertTrue(active.isEmpty(), "no run left under way");
        return e;
    }

    static JsonNode runJson(RunFailedException e) throws Exception {
        return Json.MAPPER.readTree(e.directory().resolve("run.json").toFile());
    }

    @Test
    void aComponentThatThrowsFailsItsRunWithTheMessageAndATraceBesideIt() throws Exception {
        RunFailedException e = fails(spec(Map.of(), Map.of(), Map.of("fault", "throw")), Duration.ZERO, 30_000);
        JsonNode run = runJson(e);
        assertEquals("failed", run.path("status").asText());
        assertEquals("evaluate of faulty failed: IllegalStateException: evaluator 'faulty' failed on purpose (fault 'throw')",
                run.path("error").asText());
        assertTrue(Files.readString(e.directory().resolve("error.log")).contains("\tat org.genbench.faults.internal.Fault"));
        assertFalse(Files.exists(e.directory().resolve("metrics.json")), "no final metrics for a failed run");
    }

    @Test
    void aHangThatHonoursCancellationIsStoppedByThePhaseTimeout() throws Exception {
        RunFailedException e = fails(spec(Map.of(), Map.of("fault", "hang"), Map.of()), Duration.ofMillis(500), 20_000);
        JsonNode run = runJson(e);
        assertEquals("failed", run.path("status").asText());
        assertEquals("timed out: sample of faulty ran longer than the phase timeout of 0.5 s", run.path("error").asText());
        assertFalse(Files.exists(e.directory().resolve("samples/faulty.arrow")));
    }

    @Test
    void aHangThatIgnoresEverythingIsAbandonedAfterTheGracePeriod() throws Exception {
        RunFailedException e = fails(spec(Map.of("fault", "hang-hard", "at", 2), Map.of(), Map.of()), Duration.ofMillis(300), 20_000);
        JsonNode run = runJson(e);
        assertEquals("failed", run.path("status").asText());
        assertTrue(run.path("error").asText().startsWith("timed out: train of faulty ran longer than the phase timeout"), run::toString);
        assertTrue(run.path("error").asText().endsWith("train of faulty did not stop within 0.3 s of being asked and was abandoned"),
                run::toString);
        assertEquals("train", run.path("lastStep").path("phase").asText());
        assertEquals(1, run.path("lastStep").path("step").asLong(), "the last step the trainer logged");
    }

    @Test
    void interruptingTheCallerInterruptsTheRunAtItsNextStep() throws Exception {
        Composition c = compose(spec(Map.of(), Map.of("steps", 10_000, "stepMillis", 5), Map.of()));
        Thread caller = Thread.currentThread();
        CompletableFuture.runAsync(() -> {
            try {
                while (active.isEmpty() || !Files.exists(workspace.resolve("runs")) || !logs("\"sample\"")) {
                    Thread.sleep(10);
                }
            } catch (Exception ignored) {
                // the assertion below reports it
            }
            caller.interrupt();
        });
        long t0 = System.nanoTime();
        RunFailedException e = assertThrows(RunFailedException.class, () -> runner(Duration.ZERO).run(c, RunListener.NONE));
        assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it to see");
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "promptly");
        assertEquals("interrupted", e.status());
        JsonNode run = runJson(e);
        assertEquals("interrupted", run.path("status").asText());
        assertTrue(run.path("error").asText().startsWith("interrupted during sample of faulty"), run::toString);
        assertEquals("sample", run.path("lastStep").path("phase").asText());
    }

    private boolean logs(String what) throws Exception {
        try (Stream<Path> dirs = Files.list(workspace.resolve("runs"))) {
            for (Path d : dirs.toList()) {
                Path log = d.resolve("metrics.jsonl");
                if (Files.exists(log) && Files.readString(log).contains(what)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aDivergingTrainerStopsAtTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        // checkpoints every 5 steps, saved before the step is logged: step 15 is saved, then its loss is NaN
        RunFailedException e = fails(spec(Map.of("fault", "nan", "at", 15, "steps", 30), Map.of(), Map.of()), Duration.ZERO, 30_000);
        JsonNode run = runJson(e);
        assertEquals("failed", run.path("status").asText());
        assertEquals("diverged: trainer (faulty) reached loss = NaN at step 15; the last good checkpoint is step 10 (resume "
                + "continues from it)", run.path("error").asText());
        try (Stream<Path> cps = Files.list(e.directory().resolve("checkpoints"))) {
            assertEquals(List.of("step-10", "step-5"), cps.map(p -> p.getFileName().toString()).sorted().toList());
        }
        List<JsonNode> log = RunStore.readLog(e.directory());
        JsonNode last = log.get(log.size() - 1);
        assertEquals(15, last.path("step").asLong());
        assertTrue(last.path("values").path("loss").isNull(), "JSON has no NaN: " + last);
        assertEquals("NaN", last.path("nonFinite").path("loss").asText());
    }

    @Test
    void nonFiniteSamplesFailTheRunAndAreNotWritten() throws Exception {
        RunFailedException e = fails(spec(Map.of(), Map.of("fault", "nan", "samples", 10), Map.of()), Duration.ZERO, 30_000);
        assertEquals("sample of faulty failed: IllegalStateException: samplers[0] (faulty) returned 1 non-finite values among 20"
                + " (the first in row 5); its samples were not written", runJson(e).path("error").asText());
        assertFalse(Files.exists(e.directory().resolve("samples/faulty.arrow")));
    }

    @Test
    void aNonFiniteMetricIsWrittenAsValidJsonAndTheRunCompletes() throws Exception {
        RunResult r = runner(Duration.ZERO).run(compose(spec(Map.of(), Map.of(), Map.of("fault", "nan"))), RunListener.NONE);
        JsonNode metrics = Json.MAPPER.readTree(r.directory().resolve("metrics.json").toFile()).path("metrics");
        JsonNode score = metrics.get(metrics.size() - 1);
        assertTrue(score.path("value").isNull(), score::toString);
        assertEquals("NaN", score.path("nonFinite").asText());
        assertTrue(Double.isNaN(RunStore.value(score)));
    }

    @Test
    void aDepartingComponentStopsTheRunBetweenStepsBeforeItWritesSamples() throws Exception {
        Composition c = compose(spec(Map.of(), Map.of("steps", 100_000, "stepMillis", 1, "samples", 1000), Map.of()));
        CompletableFuture.runAsync(() -> {
            try {
                while (!Files.exists(workspace.resolve("runs")) || !logs("\"sample\"")) {
                    Thread.sleep(5);
                }
            } catch (Exception ignored) {
                // reported below
            }
            registry.remove(2); // the model's bundle goes
        });
        RunFailedException e = assertThrows(RunFailedException.class, () -> runner(Duration.ZERO).run(c, RunListener.NONE));
        assertEquals("model 'fixed-gaussian' (bundle org.genbench.faults) was removed while the run used it",
                runJson(e).path("error").asText());
        assertFalse(Files.exists(e.directory().resolve("samples/faulty.arrow")), "nothing written after the departure");
        long sampleSteps = RunStore.readLog(e.directory()).stream().filter(l -> l.path("phase").asText().equals("sample")).count();
        assertTrue(sampleSteps < 100_000, "stopped at a step, not at the end of the phase: " + sampleSteps);
    }

    @Test
    void aModelThatNeedsNoTrainerRunsWithout() throws Exception {
        RunResult r = runner(Duration.ZERO).run(compose(spec(null, Map.of(), Map.of())), RunListener.NONE);
        JsonNode spec = Json.MAPPER.readTree(r.directory().resolve("spec.json").toFile());
        assertTrue(spec.has("trainer") && spec.get("trainer").isNull(), spec::toString);
        assertEquals(1.0, r.value("score"));
    }

    @Test
    void identicalRunsWriteByteIdenticalMetrics() throws Exception {
        ExperimentSpec s = spec(Map.of("steps", 7), Map.of("samples", 300), Map.of());
        RunResult a = runner(Duration.ZERO).run(compose(s), RunListener.NONE);
        RunResult b = runner(Duration.ZERO).run(compose(s), RunListener.NONE);
        assertFalse(a.directory().equals(b.directory()));
        assertEquals(-1, Files.mismatch(a.directory().resolve("metrics.json"), b.directory().resolve("metrics.json")));
    }

    /**
     * A run killed after its step-10 checkpoint, as SIGKILL would leave it: {@code running}, its owner gone, a log
     * that goes past the checkpoint and ends in half a line. The next start marks it interrupted with its last
     * step; resuming it keeps {@code started}, adds the resumption, logs every step once and completes; resuming
     * the completed run changes nothing.
     */
    @Test
    void aKilledRunIsMarkedInterruptedAndResumesToEachStepOnce() throws Exception {
        ExperimentSpec s = spec(Map.of("steps", 20), Map.of(), Map.of());
        RunResult full = runner(Duration.ZERO).run(compose(s), RunListener.NONE);
        Path dir = full.directory();
        byte[] uninterrupted = Files.readAllBytes(dir.resolve("metrics.json"));
        ObjectNode run = (ObjectNode) Json.MAPPER.readTree(dir.resolve("run.json").toFile());
        String started = run.path("started").asText();
        run.put("status", "running");
        run.remove("finished");
        ((ObjectNode) run.get("owner")).put("pid", deadPid());
        RunStore.writeJson(dir.resolve("run.json"), run);
        RunCheckpoints checkpoints = new RunCheckpoints(dir.resolve("checkpoints"), false);
        checkpoints.dropFrom(11);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"train\"")).limit(13).toList();
        Files.writeString(dir.resolve("metrics.jsonl"), String.join("\n", lines) + "\n{\"component\":\"faulty\",\"pha");
        Files.delete(dir.resolve("metrics.json"));

        assertEquals(List.of(dir.getFileName().toString()), new RunStore(workspace.resolve("runs")).reclaimStale());
        JsonNode marked = Json.MAPPER.readTree(dir.resolve("run.json").toFile());
        assertEquals("interrupted", marked.path("status").asText());
        assertTrue(marked.path("error").asText().contains("ended without recording an outcome"), marked::toString);
        assertEquals(13, marked.path("lastStep").path("step").asLong());

        WorkbenchImpl workbench = new WorkbenchImpl(registry, workspace, null, Map.of(), "test");
        RunResult resumed = workbench.resume(dir.getFileName().toString(), RunListener.NONE);
        JsonNode after = Json.MAPPER.readTree(dir.resolve("run.json").toFile());
        assertEquals("completed", after.path("status").asText());
        assertEquals(started, after.path("started").asText(), "started is kept");
        assertEquals(1, after.path("resumed").size(), after::toString);
        List<JsonNode> log = RunStore.readLog(dir);
        List<Long> trainSteps = log.stream().filter(l -> l.path("phase").asText().equals("train"))
                .map(l -> l.path("step").asLong()).toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList(), trainSteps, "each step once");
        assertTrue(java.util.Arrays.equals(uninterrupted, Files.readAllBytes(resumed.directory().resolve("metrics.json"))),
                "the resumed run ends where the uninterrupted one did");

        byte[] before = Files.readAllBytes(dir.resolve("run.json"));
        RunCompleteException done = assertThrows(RunCompleteException.class,
                () -> workbench.resume(dir.getFileName().toString(), RunListener.NONE));
        assertTrue(done.getMessage().contains("already completed"), done.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("run.json"))), "nothing changed");
        workbench.resume(dir.getFileName().toString(), true, RunListener.NONE);
        assertEquals(2, Json.MAPPER.readTree(dir.resolve("run.json").toFile()).path("resumed").size(), "forced");
    }

    /** A pid that no process has: a short-lived child that has ended. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.pid();
    }

    @Test
    void pathsThatWouldLeaveTheRunDirectoryAreRefused(@TempDir Path dir) {
        for (String bad : new String[] {"..", ".", "../x", "a/b", "/etc", "", "a\\b", "x\u0000"}) {
            assertThrows(IllegalArgumentException.class, () -> RunStore.inside(dir, "samples", bad), bad);
        }
        assertEquals(dir.resolve("samples/hmc.arrow").toAbsolutePath().normalize(), RunStore.inside(dir, "samples", "hmc.arrow"));
    }

    /** A full disk while run.json is rewritten: the old file stays whole and no temporary is left. /dev/full says ENOSPC. */
    @Test
    void aFullDiskLeavesTheOldFileWholeAndNoTemporary(@TempDir Path dir) throws Exception {
        Path devFull = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devFull), "needs /dev/full");
        Path file = dir.resolve("run.json");
        Files.writeString(file, "{\"status\": \"running\"}");
        Files.createSymbolicLink(dir.resolve("run.json.tmp"), devFull);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> RunStore.writeJson(file, Map.of("status", "completed", "padding", "x".repeat(100_000))));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals("{\"status\": \"running\"}", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("run.json.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
