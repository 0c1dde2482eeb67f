package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;
import org.genbench.api.spec.Provenance;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunListener;
import org.genbench.workbench.RunResult;
import org.genbench.workbench.internal.plot.Plots;

/**
 * Runs a composition: data, model, train (when there is a trainer), checkpoint, sample, evaluate, pictures. Each
 * component gets its own random stream split from the seed by role and id, and its own child allocator, closed at
 * the end so a leak fails the run with the component's name.
 *
 * <p>The run's work happens on a thread of its own; the calling thread supervises it. A run stops early, promptly
 * and with its reason recorded, when the caller is interrupted or {@link RunControl#stop} is called
 * ({@code interrupted}), when a phase exceeds the phase timeout, a component it uses is uninstalled, or training
 * diverges to a non-finite value ({@code failed}). A component learns of it at its next {@code log} or
 * {@code progress} (which throw) or {@code isCancelled}; one that ignores all three for {@link #GRACE} after being
 * asked is abandoned: the run is recorded as stopped and its thread is left to end on its own.
 */
final class Runner {
    /** How long a component has to return after its run was asked to stop. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final RunStore store;
    private final ComponentRegistry registry;
    private final Map<String, String> bundles;
    private final Map<String, String> libraries;
    private final String gitCommit;
    private final Duration phaseTimeout;
    private final Map<String, RunControl> active;
    private final Duration grace;
    private final Map<String, String> numerics;

    Runner(RunStore store, ComponentRegistry registry, Map<String, String> bundles, Map<String, String> libraries,
           String gitCommit) {
        this(store, registry, bundles, libraries, gitCommit, Duration.ZERO, new ConcurrentHashMap<>());
    }

    /**
     * @param phaseTimeout longest a phase (one component's call) may take; zero for no limit
     * @param active       the runs under way, by id, shared with the workbench so it can cancel them
     */
    Runner(RunStore store, ComponentRegistry registry, Map<String, String> bundles, Map<String, String> libraries,
           String gitCommit, Duration phaseTimeout, Map<String, RunControl> active) {
        this(store, registry, bundles, libraries, gitCommit, phaseTimeout, active, GRACE);
    }

    /** @param grace how long a component has to return after its run was asked to stop */
    Runner(RunStore store, ComponentRegistry registry, Map<String, String> bundles, Map<String, String> libraries,
           String gitCommit, Duration phaseTimeout, Map<String, RunControl> active, Duration grace) {
        this(store, registry, bundles, libraries, gitCommit, phaseTimeout, active, grace, Map.of());
    }

    /** @param numerics what the numerics check found on this machine (BLAS, core name), for provenance */
    Runner(RunStore store, ComponentRegistry registry, Map<String, String> bundles, Map<String, String> libraries,
           String gitCommit, Duration phaseTimeout, Map<String, RunControl> active, Duration grace,
           Map<String, String> numerics) {
        this.numerics = numerics;
        this.grace = grace;
        this.store = store;
        this.registry = registry;
        this.bundles = bundles;
        this.libraries = libraries;
        this.gitCommit = gitCommit;
        this.phaseTimeout = phaseTimeout;
        this.active = active;
    }

    RunResult run(Composition c, RunListener listener) throws RunFailedException {
        Path dir;
        try {
            dir = store.create(c.spec().name(), Instant.now());
        } catch (IOException e) {
            throw new RunFailedException("-", store.root(), "cannot create a run directory under " + store.root() + ": " + e, e);
        }
        return run(c, listener, dir, null);
    }

    /**
     * Runs {@code c} in {@code dir}. When {@code earlier} (the run's previous run.json) is given, the directory is an
     * earlier run of the same spec being resumed: the trainer finds its newest checkpoint through
     * {@link org.genbench.api.Checkpoints#latest()}, the metrics log keeps the training steps up to that checkpoint
     * and drops the rest (they are logged again), and everything after training is redone. {@code started} is
     * kept; the time of this resumption is added to {@code resumed}.
     */
    RunResult run(Composition c, RunListener listener, Path dir, ObjectNode earlier) throws RunFailedException {
        String id = dir.getFileName().toString();
        RunControl control = new RunControl(id);
        if (active.putIfAbsent(id, control) != null) {
            throw new RunFailedException(id, dir, "the run is already under way in this workbench", null);
        }
        Consumer<Registered> departure = gone -> {
            if (c.all().stream().anyMatch(p -> p.registered().serviceId() == gone.serviceId())) {
                if (registry.frameworkStopping()) {
                    control.stop(RunStore.INTERRUPTED, WorkbenchImpl.STOPPING + " during " + control.phase()
                            + (control.component().isEmpty() ? "" : " of " + control.component()));
                } else {
                    control.stop(RunStore.FAILED, gone.role().label + " '" + gone.name() + "' (bundle " + gone.bundle()
                            + ") was removed while the run used it");
                }
            }
        };
        registry.onDeparture(departure);
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                result.complete(work(c, listener, dir, earlier, control));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "genbench-run-" + id);
        worker.setDaemon(true); // an abandoned component must not keep the JVM alive
        control.worker(worker);
        try {
            worker.start();
            return supervise(result, control, dir);
        } finally {
            registry.removeDepartureListener(departure);
            active.remove(id, control);
        }
    }

    private RunResult supervise(CompletableFuture<RunResult> result, RunControl control, Path dir)
            throws RunFailedException {
        boolean interrupted = false;
        long graceDeadline = Long.MAX_VALUE;
        try {
            while (true) {
                try {
                    return unwrap(result, 100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException waiting) {
                    // still working: judge the phase below
                } catch (InterruptedException e) {
                    interrupted = true;
                    control.stop(RunStore.INTERRUPTED, "interrupted during " + where(control)
                            + " (the caller was interrupted: Ctrl-C, a notebook interrupt)");
                }
                if (!phaseTimeout.isZero() && control.phaseNanos() > phaseTimeout.toNanos()) {
                    control.stop(RunStore.FAILED, "timed out: " + where(control) + " ran longer than the phase timeout of "
                            + seconds(phaseTimeout) + " s");
                }
                if (control.isStopped()) {
                    if (graceDeadline == Long.MAX_VALUE) {
                        graceDeadline = System.nanoTime() + grace.toNanos();
                    } else if (System.nanoTime() > graceDeadline) {
                        return abandon(control, dir);
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RunResult unwrap(CompletableFuture<RunResult> result, long timeout, TimeUnit unit)
            throws RunFailedException, TimeoutException, InterruptedException {
        try {
            return result.get(timeout, unit);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RunFailedException f) {
                throw f;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** The component did not stop within the grace period: record the run as stopped and leave its thread. */
    private RunResult abandon(RunControl control, Path dir) throws RunFailedException {
        RunControl.Stop stop = control.stopped();
        String reason = stop.reason() + "; " + where(control) + " did not stop within " + seconds(grace)
                + " s of being asked and was abandoned";
        if (control.finish()) {
            ObjectNode run = RunStore.readRun(dir).orElseGet(RunStore::object);
            run.put("status", stop.status()).put("finished", Instant.now().toString()).put("error", reason);
            RunStore.lastStep(dir).ifPresent(s -> run.set("lastStep", s));
            try {
                RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
            } catch (IOException e) {
                // the reason is still reported to the caller below
            }
        }
        throw new RunFailedException(control.runId(), dir, stop.status(), reason, null);
    }

    /** 0.3, 2, 600: seconds without a trailing .0. */
    static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    private static String where(RunControl control) {
        return control.phase() + (control.component().isEmpty() ? "" : " of " + control.component());
    }

    /** The run itself, on the worker thread. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private RunResult work(Composition c, RunListener outer, Path dir, ObjectNode earlier, RunControl control)
            throws RunFailedException {
        Instant started = Instant.now();
        boolean resuming = earlier != null;
        RunCheckpoints checkpoints = new RunCheckpoints(dir.resolve("checkpoints"), resuming, control::isStopped);
        String id = dir.getFileName().toString();
        List<RunResult.RunMetric> finals = new ArrayList<>();
        // phase -> "component/metric" -> (step, value) points, drawn as one chart per phase
        Map<String, Map<String, List<double[]>>> curves = new LinkedHashMap<>();
        ObjectNode run = RunStore.object().put("id", id).put("name", c.spec().name()).put("seed", c.spec().seed());
        run.put("status", RunStore.RUNNING);
        if (resuming) {
            run.put("started", earlier.path("started").asText(started.toString()));
            ArrayNode resumed = run.putArray("resumed");
            earlier.path("resumed").forEach(r -> {
                if (r.isTextual()) {
                    resumed.add(r);
                }
            });
            resumed.add(started.toString());
        } else {
            run.put("started", started.toString());
        }
        run.set("owner", Owner.current());
        Rng root = new Rng(c.spec().seed());
        PhaseTimer timer = new PhaseTimer(outer, run.putObject("seconds"), control);
        RunListener listener = timer;
        List<SampleResult> samples = new ArrayList<>();
        Map<String, SampleResult> byId = new LinkedHashMap<>();
        List<Ctx> openContexts = new ArrayList<>();
        Dataset dataset = null;
        Model model = null;
        Set<String> keptSteps = new HashSet<>();
        BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
        try {
            if (resuming) {
                // Each step once: keep what training logged up to the checkpoint it continues from; the rest is redone.
                long from = checkpoints.latestStep().orElse(-1L);
                RunStore.rewriteLog(dir, line -> "train".equals(line.path("phase").asText()) && line.path("step").asLong() <= from);
                for (JsonNode line : RunStore.readLog(dir)) {
                    keptSteps.add(line.path("component").asText() + "/" + line.path("step").asLong());
                }
                Files.deleteIfExists(dir.resolve(RunStore.METRICS_JSON));
                Files.deleteIfExists(dir.resolve(RunStore.ERROR_LOG));
            }
            try (BufferedWriter log = RunStore.openLog(dir)) {
                Logs logs = new Logs(log, curves, keptSteps, System.nanoTime());
                RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
                RunStore.writeJson(dir.resolve(RunStore.SPEC_JSON), resolvedSpec(c));
                if (resuming) {
                    // The curves start where the run began, not where this invocation took over.
                    earlierCurves(dir, curves);
                }

                listener.phase(id, "data", c.dataset().id());
                Ctx dataCtx = new Ctx(dir, id, "data", c.dataset(), root.split("dataset"), allocator, logs, listener, control, checkpoints);
                openContexts.add(dataCtx);
                dataset = ((DatasetProvider) c.dataset().registered().component()).open(c.dataset().config(), dataCtx);
                DataInfo info = dataset.info();
                RunStore.writeJson(dir.resolve(RunStore.PROVENANCE_JSON), provenance(c, info, started));
                check(control);

                listener.phase(id, "model", c.model().id());
                model = ((ModelFamily) c.model().registered().component()).create(c.model().config(), info, root.split("model"));
                check(control);

                if (c.trainer() != null) {
                    listener.phase(id, "train", c.trainer().id());
                    Ctx trainCtx = new Ctx(dir, id, "train", c.trainer(), root.split("trainer"), allocator, logs, listener, control, checkpoints);
                    openContexts.add(trainCtx);
                    List<Metric> trained = ((Trainer) c.trainer().registered().component()).train(model, dataset, c.trainer().config(), trainCtx);
                    check(control);
                    trainCtx.closeChecked();
                    for (Metric m : trained) {
                        if (!Double.isFinite(m.value())) {
                            throw diverged(control, checkpoints, c.trainer(), m.name(), m.value(), -1);
                        }
                        finals.add(new RunResult.RunMetric("trainer", c.trainer().id(), m));
                    }
                }

                if (model instanceof Persistent p) {
                    listener.phase(id, "checkpoint", c.model().id());
                    Path tmp = RunStore.inside(dir, "checkpoint.tmp");
                    try {
                        RunCheckpoints.deleteTree(tmp);
                        Files.createDirectories(tmp);
                        p.save(tmp);
                        check(control);
                        RunCheckpoints.deleteTree(dir.resolve("checkpoint"));
                        Files.move(tmp, dir.resolve("checkpoint"), StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        RunCheckpoints.deleteTree(tmp); // what a failed save (a full disk) left half written
                    }
                }

                Path samplesDir = Files.createDirectories(dir.resolve("samples"));
                for (Composition.Part s : c.samplers()) {
                    listener.phase(id, "sample", s.id());
                    Ctx ctx = new Ctx(dir, id, "sample", s, root.split("sampler/" + s.id()), allocator, logs, listener, control, checkpoints);
                    openContexts.add(ctx);
                    SampleResult result = ((Sampler) s.registered().component()).sample(model, s.config(), ctx);
                    samples.add(result);
                    check(control); // a departed model or a timeout: write nothing more
                    checkFinite(s, result.samples());
                    byId.put(s.id(), result);
                    ArrowIpc.write(RunStore.inside(samplesDir, s.id() + ".arrow"), Map.of("x", result.samples()));
                    result.diagnostics().forEach(m -> finals.add(new RunResult.RunMetric("sampler", s.id(), m)));
                }

                for (Composition.Part e : c.evaluators()) {
                    listener.phase(id, "evaluate", e.id());
                    Ctx ctx = new Ctx(dir, id, "evaluate", e, root.split("evaluator/" + e.id()), allocator, logs, listener, control, checkpoints);
                    openContexts.add(ctx);
                    List<Metric> metrics = ((Evaluator) e.registered().component()).evaluate(model, dataset, byId, e.config(), ctx);
                    check(control);
                    ctx.closeChecked();
                    metrics.forEach(m -> finals.add(new RunResult.RunMetric("evaluator", e.id(), m)));
                }

                listener.phase(id, "write", "pictures");
                pictures(dir, dataset, model, byId, curves, root.split("pictures"), allocator);
                check(control);
                RunStore.writeAtomically(dir.resolve(RunStore.METRICS_JSON), Metrics.json(finals));
            }
            samples.forEach(SampleResult::close);
            samples.clear();
            model.close();
            model = null;
            dataset.close();
            dataset = null;
            for (Ctx ctx : openContexts) {
                ctx.closeChecked();
            }
            openContexts.clear();
            allocator.close(); // throws if anything else leaked Arrow memory
            timer.finish();
            if (!control.finish()) {
                throw new RunFailedException(id, dir, control.stopped() == null ? RunStore.FAILED : control.stopped().status(),
                        control.stopped() == null ? "stopped" : control.stopped().reason(), null);
            }
            run.put("status", RunStore.COMPLETED).put("finished", Instant.now().toString());
            RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
            return new RunResult(id, dir, finals);
        } catch (RunFailedException e) {
            throw e;
        } catch (Throwable e) {
            RunControl.Stop stop = control.stopped();
            String status = stop != null ? stop.status() : RunStore.FAILED;
            String reason = stop != null ? stop.reason() : describe(e, control);
            if (control.finish()) {
                timer.finish();
                run.put("status", status).put("finished", Instant.now().toString()).put("error", reason);
                RunStore.lastStep(dir).ifPresent(s -> run.set("lastStep", s));
                try {
                    RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
                    if (stop == null) {
                        StringWriter trace = new StringWriter();
                        e.printStackTrace(new PrintWriter(trace));
                        RunStore.writeAtomically(dir.resolve(RunStore.ERROR_LOG), trace.toString().getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException | RuntimeException io) {
                    e.addSuppressed(io);
                }
            }
            throw new RunFailedException(id, dir, status, reason, e);
        } finally {
            samples.forEach(Runner::closeQuietly);
            closeQuietly(model);
            closeQuietly(dataset);
            openContexts.forEach(ctx -> closeQuietly(ctx.allocator()));
            closeQuietly(allocator);
        }
    }

    /** Stops the run where it is when it was asked to. */
    private static void check(RunControl control) {
        RunControl.Stop stop = control.stopped();
        if (stop != null) {
            throw new RunControl.Stopped(stop.reason());
        }
    }

    /** Samples with NaN or infinite values are a component's fault: fail before anything trusts or writes them. */
    private static void checkFinite(Composition.Part sampler, Tensor samples) {
        long size = samples.size();
        long bad = 0;
        long first = -1;
        for (long i = 0; i < size; i++) {
            if (!Double.isFinite(samples.getDouble(i))) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            long row = samples.rowSize() == 0 ? first : first / samples.rowSize();
            throw new IllegalStateException(sampler.label() + " returned " + bad + " non-finite values among " + size
                    + " (the first in row " + row + "); its samples were not written");
        }
    }

    /**
     * Training reached a non-finite value: the run stops with the step, and checkpoints at or after that step are
     * removed, so the newest one left is the last good state.
     */
    private static RuntimeException diverged(RunControl control, RunCheckpoints checkpoints, Composition.Part trainer,
                                             String metric, double value, long step) {
        String where = step >= 0 ? " at step " + step : " in its final metrics";
        String kept;
        try {
            if (step >= 0) {
                checkpoints.dropFrom(step);
            }
            kept = checkpoints.latestComplete().map(s -> "; the last good checkpoint is step " + s + " (resume continues from it)")
                    .orElse("; no checkpoint was kept");
        } catch (IOException e) {
            kept = "; the checkpoints could not be listed: " + e.getMessage();
        }
        String reason = "diverged: " + trainer.label() + " reached " + metric + " = " + value + where + kept;
        control.stop(RunStore.FAILED, reason);
        return new RunControl.Stopped(reason);
    }

    private static String describe(Throwable e, RunControl control) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory during " + where(control) + " (" + e.getMessage() + "): lower the setting that sizes it,"
                    + " or give the JVM more memory (GENBENCH_JAVA_OPTS=-Xmx...)";
        }
        String msg = e.getMessage();
        String what = e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        return e instanceof RunControl.Stopped ? msg : where(control) + " failed: " + what;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception | LinkageError ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    private ObjectNode resolvedSpec(Composition c) {
        ObjectNode spec = RunStore.object().put("name", c.spec().name()).put("seed", c.spec().seed());
        spec.set("dataset", part(c.dataset()));
        spec.set("model", part(c.model()));
        if (c.trainer() == null) {
            spec.putNull("trainer");
        } else {
            spec.set("trainer", part(c.trainer()));
        }
        ArrayNode samplers = spec.putArray("samplers");
        c.samplers().forEach(p -> samplers.add(part(p)));
        ArrayNode evaluators = spec.putArray("evaluators");
        c.evaluators().forEach(p -> evaluators.add(part(p)));
        return spec;
    }

    /** The part with every setting, defaults included, so the run can be repeated from this file alone. */
    private static ObjectNode part(Composition.Part p) {
        ObjectNode node = RunStore.object().put("type", p.name());
        if (!p.id().equals(p.name())) {
            node.put("id", p.id());
        }
        node.set("config", Json.newMapper().valueToTree(p.config()));
        return node;
    }

    private Provenance provenance(Composition c, DataInfo info, Instant started) {
        Map<String, String> used = new LinkedHashMap<>(bundles);
        for (Composition.Part p : c.all()) {
            used.put(p.registered().bundle(), p.registered().bundleVersion());
        }
        return new Provenance(used, libraries,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                gitCommit, info.checksum(), started.toString(), numerics);
    }

    /**
     * samples.png: samples over the data density for 2-D data; an image grid for single-channel image data (rank
     * >= 2), one row per class drawn by the model itself when it is {@link Conditional}, else the first 100 of each
     * sampler's draws (samples.png for the first sampler, samples-ID.png for the others). training.png: every logged
     * curve, by step.
     */
    private static void pictures(Path dir, Dataset dataset, Model model, Map<String, SampleResult> samples,
                                 Map<String, Map<String, List<double[]>>> curves, Rng rng, BufferAllocator allocator)
            throws IOException {
        DataInfo info = dataset.info();
        long[] shape = info.sampleShape();
        if (shape.length == 1 && shape[0] == 2 && !samples.isEmpty()) {
            Map<String, double[]> drawn = new LinkedHashMap<>();
            samples.forEach((name, s) -> drawn.put(name, spread(s.samples(), SCATTER_POINTS)));
            Plots.writePng(Plots.densityScatter(spread(dataset.split("train").x(), SCATTER_POINTS), drawn,
                    info.name() + ": samples over the data density"), RunStore.inside(dir, "samples.png"));
        }
        int height = shape.length >= 2 ? (int) shape[shape.length - 2] : 0;
        int width = shape.length >= 2 ? (int) shape[shape.length - 1] : 0;
        if (shape.length >= 2 && (long) height * width == info.dimension()) {
            if (model instanceof Conditional conditional && conditional.numClasses() > 0) {
                int classes = Math.min(conditional.numClasses(), 20);
                int perClass = 10;
                try (Tensor labels = Tensor.allocate(allocator, DType.INT32, (long) classes * perClass)) {
                    List<String> rows = new ArrayList<>();
                    for (int c = 0; c < classes; c++) {
                        rows.add("class " + c);
                        for (int j = 0; j < perClass; j++) {
                            labels.setDouble((long) c * perClass + j, c);
                        }
                    }
                    try (Tensor drawn = conditional.sample(labels, rng, allocator)) {
                        Plots.writePng(Plots.imageGrid(drawn.toDoubleArray(), classes * perClass, height, width,
                                perClass, rows, info.name() + ": samples per class"), RunStore.inside(dir, "samples.png"));
                    }
                }
            } else {
                boolean first = true;
                for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
                    Tensor x = e.getValue().samples();
                    int n = (int) Math.min(100, x.rows());
                    try (Tensor head = x.slice(0, n)) {
                        Plots.writePng(Plots.imageGrid(head.toDoubleArray(), n, height, width, 10, null,
                                info.name() + ": samples of " + e.getKey()),
                                RunStore.inside(dir, first ? "samples.png" : "samples-" + e.getKey() + ".png"));
                    }
                    first = false;
                }
            }
        }
        for (Map.Entry<String, Map<String, List<double[]>>> phase : curves.entrySet()) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            phase.getValue().forEach((name, points) -> {
                // A resumed run logs again the steps between its checkpoint and where it stopped: the last value of
                // a step wins (they are the same numbers), and steps are drawn in order.
                java.util.TreeMap<Double, Double> byStep = new java.util.TreeMap<>();
                points.forEach(p -> byStep.put(p[0], p[1]));
                double[][] xy = new double[2][byStep.size()];
                int i = 0;
                for (Map.Entry<Double, Double> p : byStep.entrySet()) {
                    xy[0][i] = p.getKey();
                    xy[1][i] = p.getValue();
                    i++;
                }
                series.put(name, xy);
            });
            String title = phase.getKey().equals("train") ? "training" : phase.getKey().equals("sample") ? "sampling" : phase.getKey();
            Plots.writePng(Plots.lineChart(series, title, "step"), RunStore.inside(dir, title + ".png"));
        }
    }

    /** Points per panel of samples.png: more do not change the picture, and copying all of them may not fit. */
    static final int SCATTER_POINTS = 50_000;

    /** At most {@code max} rows of {@code x} as doubles, evenly spread (every k-th row), so every chain is shown. */
    static double[] spread(Tensor x, int max) {
        long rows = x.rows();
        int width = Math.toIntExact(x.rowSize());
        long stride = Math.max(1, (rows + max - 1) / max);
        int picked = Math.toIntExact((rows + stride - 1) / stride);
        double[] out = new double[picked * width];
        for (int i = 0; i < picked; i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = x.getDouble(i * stride * width + j);
            }
        }
        return out;
    }

    /** The curves of the earlier invocations of a resumed run, from its metrics log. */
    private static void earlierCurves(Path dir, Map<String, Map<String, List<double[]>>> curves) throws IOException {
        for (JsonNode node : RunStore.readLog(dir)) {
            String component = node.path("component").asText();
            String phase = node.path("phase").asText();
            double step = node.path("step").asDouble();
            node.path("values").fields().forEachRemaining(v -> {
                if (v.getValue().isNumber()) {
                    curves.computeIfAbsent(phase, x -> new LinkedHashMap<>())
                            .computeIfAbsent(component + "/" + v.getKey(), x -> new ArrayList<>())
                            .add(new double[] {step, v.getValue().asDouble()});
                }
            });
        }
    }

    /** Records how long each phase took into run.json's {@code seconds}, tells the control, and passes events on. */
    private static final class PhaseTimer implements RunListener {
        private final RunListener next;
        private final ObjectNode seconds;
        private final RunControl control;
        private String current;
        private long since;

        PhaseTimer(RunListener next, ObjectNode seconds, RunControl control) {
            this.next = next;
            this.seconds = seconds;
            this.control = control;
        }

        @Override
        public void phase(String runId, String phase, String component) {
            finish();
            current = phase + " " + component;
            since = System.nanoTime();
            control.phase(phase, component);
            next.phase(runId, phase, component);
        }

        void finish() {
            if (current != null) {
                seconds.put(current, Math.round((System.nanoTime() - since) / 1e6) / 1e3);
                current = null;
            }
        }

        @Override
        public void progress(String runId, String phase, long done, long total) {
            next.progress(runId, phase, done, total);
        }

        @Override
        public void metrics(String runId, String component, long step, Map<String, Double> values) {
            next.metrics(runId, component, step, values);
        }
    }

    /**
     * The run's metrics log and curves. A training step already kept from before a resumption is not written again;
     * non-finite values are written as null with a {@code nonFinite} note (JSON has no NaN).
     */
    private static final class Logs {
        private final BufferedWriter log;
        private final Map<String, Map<String, List<double[]>>> curves;
        private final Set<String> kept;

        private final long startNanos;

        /** @param startNanos when this run (or this resume) started: lines carry {@code elapsed}, seconds since */
        Logs(BufferedWriter log, Map<String, Map<String, List<double[]>>> curves, Set<String> kept, long startNanos) {
            this.startNanos = startNanos;
            this.log = log;
            this.curves = curves;
            this.kept = kept;
        }

        synchronized void append(String component, String phase, long step, Map<String, Double> values) {
            if ("train".equals(phase) && kept.contains(component + "/" + step)) {
                return;
            }
            ObjectNode line = RunStore.object().put("component", component).put("phase", phase).put("step", step)
                    .put("elapsed", (System.nanoTime() - startNanos) / 1e9);
            ObjectNode v = line.putObject("values");
            ObjectNode nonFinite = null;
            for (Map.Entry<String, Double> e : new TreeMap<>(values).entrySet()) {
                double x = e.getValue() == null ? Double.NaN : e.getValue();
                if (Double.isFinite(x)) {
                    v.put(e.getKey(), x);
                } else {
                    v.putNull(e.getKey());
                    if (nonFinite == null) {
                        nonFinite = line.putObject("nonFinite");
                    }
                    nonFinite.put(e.getKey(), Double.toString(x));
                }
            }
            try {
                log.write(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(line));
                log.newLine();
                log.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the metrics log", e);
            }
            values.forEach((k, val) -> {
                if (val != null && Double.isFinite(val)) {
                    curves.computeIfAbsent(phase, x -> new LinkedHashMap<>())
                            .computeIfAbsent(component + "/" + k, x -> new ArrayList<>())
                            .add(new double[] {step, val});
                }
            });
        }
    }

    /** The context one component sees. */
    private static final class Ctx implements RunContext {
        private final String runId;
        private final String phase;
        private final Composition.Part part;
        private final Rng rng;
        private final BufferAllocator allocator;
        private final Logs logs;
        private final RunListener listener;
        private final RunControl control;
        private final RunCheckpoints checkpoints;
        private final Path runDir;

        Ctx(Path runDir, String runId, String phase, Composition.Part part, Rng rng, BufferAllocator root, Logs logs,
            RunListener listener, RunControl control, RunCheckpoints checkpoints) {
            this.runId = runId;
            this.phase = phase;
            this.part = part;
            this.rng = rng;
            this.allocator = root.newChildAllocator(part.registered().role().label + "/" + part.id(), 0, Long.MAX_VALUE);
            this.logs = logs;
            this.listener = listener;
            this.control = control;
            this.checkpoints = checkpoints;
            this.runDir = runDir;
        }

        @Override
        public org.genbench.api.Checkpoints checkpoints() {
            return checkpoints;
        }

        @Override
        public Path outputDirectory() throws IOException {
            return Files.createDirectories(RunStore.inside(runDir, "outputs", part.id()));
        }

        @Override
        public Rng rng() {
            return rng;
        }

        @Override
        public BufferAllocator allocator() {
            return allocator;
        }

        /**
         * Appends a line to the log; throws once the run must stop, so a component stops at its next step. A
         * non-finite value in training is a divergence: the run stops there and keeps its last good checkpoint.
         */
        @Override
        public void log(long step, Map<String, Double> values) {
            check(control);
            if ("train".equals(phase)) {
                for (Map.Entry<String, Double> e : values.entrySet()) {
                    if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                        logs.append(part.id(), phase, step, values);
                        throw diverged(control, checkpoints, part, e.getKey(), e.getValue() == null ? Double.NaN : e.getValue(), step);
                    }
                }
            }
            logs.append(part.id(), phase, step, values);
            listener.metrics(runId, part.id(), step, values);
        }

        @Override
        public void progress(long done, long total) {
            check(control);
            listener.progress(runId, phase, done, total);
        }

        @Override
        public boolean isCancelled() {
            return control.isStopped() || Thread.currentThread().isInterrupted();
        }

        /** Closes this component's allocator; a leak names the component. */
        void closeChecked() {
            try {
                allocator.close();
            } catch (IllegalStateException e) {
                throw new IllegalStateException(part.label() + " leaked Arrow memory: " + e.getMessage(), e);
            }
        }
    }
}
