package org.genbench.sweep.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.sweep.SweepPoint;
import org.genbench.sweep.SweepSpec;
import org.genbench.sweep.Sweeps;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunListener;
import org.genbench.workbench.RunResult;
import org.genbench.workbench.Workbench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's bookkeeping against a workbench that writes real run directories (run.json, spec.json,
 * metrics.json) with a metric whose value is known in advance: 10 x components + seed. The real workbench is
 * exercised by SweepIT.
 */
class SweepServiceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SPEC = """
            {"name": "g", "seed": 1, "dataset": {"type": "toy"}, "model": {"type": "gmm", "config": {"components": 1}},
             "trainer": {"type": "em"},
             "sweep": {"seeds": [1, 2, 3], "grid": {"model.config.components": [2, 4, 8]}}}""";

    @TempDir
    Path workspace;

    /** Runs so far, by run name and seed; and which points should fail. */
    final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    final Set<Long> running = ConcurrentHashMap.newKeySet();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    Predicate<ExperimentSpec> fail = s -> false;

    Workbench workbench() {
        AtomicInteger counter = new AtomicInteger();
        return (Workbench) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Workbench.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "workspace" -> workspace;
                    case "parseSpec" -> JSON.readValue((String) args[0], ExperimentSpec.class);
                    case "run" -> run((ExperimentSpec) args[0], (RunListener) args[1], counter.incrementAndGet());
                    case "toString" -> "test workbench";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private RunResult run(ExperimentSpec spec, RunListener listener, int n) throws Exception {
        String id = String.format("20260101-%06d-%s", n, spec.name());
        Path dir = Files.createDirectories(workspace.resolve("runs").resolve(id));
        Files.writeString(dir.resolve("run.json"), "{\"id\": \"" + id + "\", \"status\": \"running\"}");
        listener.phase(id, "data", spec.dataset().type());
        long self = Thread.currentThread().getId();
        running.add(self);
        maxConcurrent.accumulateAndGet(running.size(), Math::max);
        try {
            Thread.sleep(30);
            ran.add(spec.name() + "/" + spec.seed());
            if (fail.test(spec)) {
                Files.writeString(dir.resolve("run.json"), "{\"id\": \"" + id + "\", \"status\": \"failed\"}");
                throw new RunFailedException(id, dir, "the model diverged", null);
            }
            ObjectNode s = JSON.valueToTree(spec);
            Files.writeString(dir.resolve("spec.json"), JSON.writeValueAsString(s));
            int k = ((Number) spec.model().config().get("components")).intValue();
            ObjectNode metrics = JSON.createObjectNode();
            ArrayNode arr = metrics.putArray("metrics");
            arr.addObject().put("role", "evaluator").put("component", "loglik").put("name", "test_loglik")
                    .put("value", 10.0 * k + spec.seed()).put("kind", "exact");
            arr.addObject().put("role", "sampler").put("component", "ancestral").put("name", "samples")
                    .put("value", 100).put("kind", "count");
            Files.writeString(dir.resolve("metrics.json"), JSON.writeValueAsString(metrics));
            Files.writeString(dir.resolve("run.json"), "{\"id\": \"" + id + "\", \"status\": \"completed\"}");
            return new RunResult(id, dir, List.of());
        } finally {
            running.remove(self);
        }
    }

    @Test
    void aGridOverSeedsEndsWithMeanAndSdPerSettingAndAPlot() throws Exception {
        SweepService sweeps = new SweepService(workbench());
        SweepSpec spec = SweepSpec.parse(SPEC);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Sweeps.Outcome out = sweeps.run(spec, 1, lines::add);
        assertEquals(9, out.total());
        assertEquals(9, out.ran());
        assertEquals(0, out.failed());
        assertTrue(lines.get(0).startsWith("sweep g: 9 runs (3 settings x 3 seeds): 0 done, 9 to run"), lines.get(0));
        List<String[]> summary = out.report().summary();
        assertEquals(List.of("metric", "kind", "components-2 (n=3)", "components-4 (n=3)", "components-8 (n=3)"),
                List.of(summary.get(0)));
        // seeds 1, 2, 3 add 1, 2, 3: mean 10k + 2, sample sd 1 (numpy: np.std([1, 2, 3], ddof=1) = 1.0)
        assertEquals(List.of("loglik/test_loglik", "exact", "22 ± 1", "42 ± 1", "82 ± 1"), List.of(summary.get(1)));
        assertEquals(List.of("ancestral/samples", "count", "100 ± 0", "100 ± 0", "100 ± 0"), List.of(summary.get(2)));
        JsonNode json = JSON.readTree(out.report().summaryJson().toFile());
        assertEquals(82.0, json.path("metrics").get(0).path("settings").get(2).path("mean").asDouble());
        assertEquals(List.of(81.0, 82.0, 83.0), List.of(json.path("metrics").get(0).path("settings").get(2).path("values")
                .get(0).asDouble(), json.path("metrics").get(0).path("settings").get(2).path("values").get(1).asDouble(),
                json.path("metrics").get(0).path("settings").get(2).path("values").get(2).asDouble()));
        BufferedImage png = javax.imageio.ImageIO.read(out.report().plot().toFile());
        assertEquals(SweepPlot.PANEL_W, png.getWidth(), "one panel: only test_loglik varies, the sample count does not");
        assertTrue(Files.readString(out.report().table()).contains("every run:"));
    }

    @Test
    void aSweepRunAgainRunsOnlyWhatIsMissingAndReplacesUnfinishedRuns() throws Exception {
        SweepService sweeps = new SweepService(workbench());
        SweepSpec spec = SweepSpec.parse(SPEC);
        fail = s -> s.seed() == 2 && s.name().endsWith("components-4");
        Sweeps.Outcome first = sweeps.run(spec, 1, line -> { });
        assertEquals(1, first.failed());
        assertEquals(8, first.report().completed());
        // A sweep killed while a run was going leaves that point 'running' with a half-written directory.
        SweepStore store = new SweepStore(sweeps.directory(spec), workspace.resolve("runs"));
        SweepPoint killed = spec.points().get(8);
        String completedRun = store.read(killed).runId();
        Files.writeString(workspace.resolve("runs").resolve(completedRun).resolve("run.json"), "{\"status\": \"running\"}");
        store.write(killed, Sweeps.Status.RUNNING, completedRun, null, 1);
        List<Sweeps.PointState> before = sweeps.plan(spec);
        String failedRun = before.get(4).runId();
        assertEquals(Sweeps.Status.FAILED, before.get(4).status());
        assertTrue(Files.isDirectory(workspace.resolve("runs").resolve(failedRun)));

        ran.clear();
        fail = s -> false;
        List<String> lines = new ArrayList<>();
        Sweeps.Outcome second = sweeps.run(spec, 1, lines::add);
        assertTrue(lines.get(0).contains("7 done, 2 to run"), lines.get(0));
        assertEquals(List.of("g.components-4/2", "g.components-8/3"), ran);
        assertEquals(9, second.report().completed());
        assertFalse(Files.exists(workspace.resolve("runs").resolve(failedRun)), "the failed attempt is replaced");
        assertFalse(Files.exists(workspace.resolve("runs").resolve(completedRun)), "the killed attempt is replaced");
        List<Sweeps.PointState> after = sweeps.plan(spec);
        for (int i = 0; i < 9; i++) {
            assertEquals(Sweeps.Status.COMPLETED, after.get(i).status());
            if (i != 4 && i != 8) {
                assertEquals(before.get(i).runId(), after.get(i).runId(), "completed runs are kept");
            }
        }
        assertEquals(2, after.get(4).attempts());
        try (var dirs = Files.list(workspace.resolve("runs"))) {
            assertEquals(9, dirs.count(), "one run directory per point");
        }
        ran.clear();
        assertEquals(0, sweeps.run(spec, 1, line -> { }).ran(), "nothing left to run");
        assertEquals(List.of(), ran);
    }

    @Test
    void runsGoNAtATimeWithTheSameResults() throws Exception {
        SweepService sweeps = new SweepService(workbench());
        Sweeps.Outcome parallel = sweeps.run(SweepSpec.parse(SPEC), 3, line -> { });
        assertEquals(3, maxConcurrent.get());
        assertEquals(List.of("loglik/test_loglik", "exact", "22 ± 1", "42 ± 1", "82 ± 1"),
                List.of(parallel.report().summary().get(1)));
    }

    @Test
    void oneProcessAtATimeRunsASweep() throws Exception {
        SweepService sweeps = new SweepService(workbench());
        SweepSpec spec = SweepSpec.parse(SPEC);
        try (SweepStore.Lock held = new SweepStore(sweeps.directory(spec), workspace.resolve("runs")).lock()) {
            String msg = assertThrows(java.io.IOException.class, () -> sweeps.run(spec, 1, line -> { })).getMessage();
            assertTrue(msg.contains("is being run by another process (pid " + ProcessHandle.current().pid()), msg);
        }
        assertEquals(9, sweeps.run(spec, 1, line -> { }).ran(), "free again once the holder is gone");
    }
}
