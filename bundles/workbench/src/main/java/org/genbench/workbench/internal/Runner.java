package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Checkpoints;
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
 * Runs a composition: data, model, train, checkpoint, sample, evaluate, pictures. Each component gets its own
 * random stream split from the seed by role and id, and its own child allocator, closed at the end so a leak
 * fails the run with the component's name.
 */
final class Runner {
    private final RunStore store;
    private final ComponentRegistry registry;
    private final Map<String, String> bundles;
    private final Map<String, String> libraries;
    private final String gitCommit;
    private final Map<String, String> numerics;

    Runner(RunStore store, ComponentRegistry registry, Map<String, String> bundles, Map<String, String> libraries,
           String gitCommit, Map<String, String> numerics) {
        this.store = store;
        this.registry = registry;
        this.bundles = bundles;
        this.libraries = libraries;
        this.gitCommit = gitCommit;
        this.numerics = numerics;
    }

    RunResult run(Composition c, RunListener listener) throws RunFailedException {
        Path dir;
        try {
            dir = store.create(c.spec().name(), Instant.now());
        } catch (IOException e) {
            throw new RunFailedException("-", store.root(), "cannot create a run directory under " + store.root() + ": " + e, e);
        }
        return run(c, listener, dir, false);
    }

    /**
     * Runs {@code c} in {@code dir}. When {@code resuming}, the directory is an earlier run of the same spec: the
     * trainer finds its newest checkpoint through {@link Checkpoints#latest()}, and everything after training is
     * redone.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    RunResult run(Composition c, RunListener listener, Path dir, boolean resuming) throws RunFailedException {
        Instant started = Instant.now();
        Checkpoints checkpoints = new RunCheckpoints(dir.resolve("checkpoints"), resuming);
        String id = dir.getFileName().toString();
        AtomicReference<String> departed = new AtomicReference<>();
        Consumer<Registered> departure = gone -> {
            if (c.all().stream().anyMatch(p -> p.registered().serviceId() == gone.serviceId())) {
                departed.compareAndSet(null, gone.role().label + " '" + gone.name() + "' (bundle " + gone.bundle()
                        + ") was removed while the run used it");
            }
        };
        registry.onDeparture(departure);
        List<RunResult.RunMetric> finals = new ArrayList<>();
        // phase -> "component/metric" -> (step, value) points, drawn as one chart per phase
        Map<String, Map<String, List<double[]>>> curves = new LinkedHashMap<>();
        ObjectNode run = RunStore.object().put("id", id).put("name", c.spec().name()).put("seed", c.spec().seed())
                .put("status", "running").put("started", started.toString());
        if (resuming) {
            run.put("resumed", true);
        }
        Rng root = new Rng(c.spec().seed());
        PhaseTimer timer = new PhaseTimer(listener, run.putObject("seconds"));
        listener = timer;
        List<SampleResult> samples = new ArrayList<>();
        Map<String, SampleResult> byId = new LinkedHashMap<>();
        List<Ctx> openContexts = new ArrayList<>();
        Dataset dataset = null;
        Model model = null;
        BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
        try (BufferedWriter log = RunStore.openLog(dir)) {
            RunLog runLog = new RunLog(log, System.nanoTime());
            RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
            RunStore.writeJson(dir.resolve(RunStore.SPEC_JSON), resolvedSpec(c));
            if (resuming) {
                // The curves start where the run began, not where this invocation took over.
                earlierCurves(dir, curves);
            }

            listener.phase(id, "data", c.dataset().id());
            Ctx dataCtx = new Ctx(dir, id, "data", c.dataset(), root.split("dataset"), allocator, runLog, listener, departed, curves, checkpoints);
            openContexts.add(dataCtx);
            dataset = ((DatasetProvider) c.dataset().registered().component()).open(c.dataset().config(), dataCtx);
            DataInfo info = dataset.info();
            RunStore.writeJson(dir.resolve(RunStore.PROVENANCE_JSON), provenance(c, info, started));
            check(departed);

            listener.phase(id, "model", c.model().id());
            model = ((ModelFamily) c.model().registered().component()).create(c.model().config(), info, root.split("model"));

            listener.phase(id, "train", c.trainer().id());
            Ctx trainCtx = new Ctx(dir, id, "train", c.trainer(), root.split("trainer"), allocator, runLog, listener, departed, curves, checkpoints);
            openContexts.add(trainCtx);
            List<Metric> trained = ((Trainer) c.trainer().registered().component()).train(model, dataset, c.trainer().config(), trainCtx);
            trainCtx.closeChecked();
            trained.forEach(m -> finals.add(new RunResult.RunMetric("trainer", c.trainer().id(), m)));
            check(departed);

            if (model instanceof Persistent p) {
                listener.phase(id, "checkpoint", c.model().id());
                Path tmp = dir.resolve("checkpoint.tmp");
                RunCheckpoints.deleteTree(tmp);
                Files.createDirectories(tmp);
                p.save(tmp);
                RunCheckpoints.deleteTree(dir.resolve("checkpoint"));
                Files.move(tmp, dir.resolve("checkpoint"), StandardCopyOption.ATOMIC_MOVE);
            }

            Path samplesDir = Files.createDirectories(dir.resolve("samples"));
            for (Composition.Part s : c.samplers()) {
                listener.phase(id, "sample", s.id());
                Ctx ctx = new Ctx(dir, id, "sample", s, root.split("sampler/" + s.id()), allocator, runLog, listener, departed, curves, checkpoints);
                openContexts.add(ctx);
                SampleResult result = ((Sampler) s.registered().component()).sample(model, s.config(), ctx);
                samples.add(result);
                byId.put(s.id(), result);
                ArrowIpc.write(samplesDir.resolve(s.id() + ".arrow"), Map.of("x", result.samples()));
                result.diagnostics().forEach(m -> finals.add(new RunResult.RunMetric("sampler", s.id(), m)));
                check(departed);
            }

            for (Composition.Part e : c.evaluators()) {
                listener.phase(id, "evaluate", e.id());
                Ctx ctx = new Ctx(dir, id, "evaluate", e, root.split("evaluator/" + e.id()), allocator, runLog, listener, departed, curves, checkpoints);
                openContexts.add(ctx);
                List<Metric> metrics = ((Evaluator) e.registered().component()).evaluate(model, dataset, byId, e.config(), ctx);
                ctx.closeChecked();
                metrics.forEach(m -> finals.add(new RunResult.RunMetric("evaluator", e.id(), m)));
                check(departed);
            }

            listener.phase(id, "write", "pictures");
            pictures(dir, dataset, model, byId, curves, root.split("pictures"), allocator);
            ArrayNode metricsArray = Json.MAPPER.createArrayNode();
            for (RunResult.RunMetric m : finals) {
                metricsArray.add(Json.MAPPER.valueToTree(Map.of("role", m.role(), "component", m.component(),
                        "name", m.metric().name(), "value", m.metric().value(), "kind", m.metric().kind(),
                        "protocol", m.metric().protocol())));
            }
            RunStore.writeJson(dir.resolve(RunStore.METRICS_JSON), RunStore.object().put("id", id).set("metrics", metricsArray));
            samples.forEach(SampleResult::close);
            samples.clear();
            if (model != null) {
                model.close();
                model = null;
            }
            dataset.close();
            dataset = null;
            for (Ctx ctx : openContexts) {
                ctx.closeChecked();
            }
            openContexts.clear();
            allocator.close(); // throws if anything else leaked Arrow memory
            timer.finish();
            run.put("status", "completed").put("finished", Instant.now().toString());
            RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
            return new RunResult(id, dir, finals);
        } catch (Exception | LinkageError e) {
            String reason = departed.get() != null ? departed.get() : describe(e);
            run.put("status", "failed").put("finished", Instant.now().toString()).put("error", reason);
            try {
                RunStore.writeJson(dir.resolve(RunStore.RUN_JSON), run);
            } catch (IOException io) {
                e.addSuppressed(io);
            }
            throw new RunFailedException(id, dir, reason, e);
        } finally {
            registry.removeDepartureListener(departure);
            samples.forEach(SampleResult::close);
            closeQuietly(model);
            closeQuietly(dataset);
            openContexts.forEach(ctx -> closeQuietly(ctx.allocator()));
            closeQuietly(allocator);
        }
    }

    private static void check(AtomicReference<String> departed) {
        if (departed.get() != null) {
            throw new IllegalStateException(departed.get());
        }
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
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
        spec.set("trainer", part(c.trainer()));
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
            samples.forEach((name, s) -> drawn.put(name, s.samples().toDoubleArray()));
            Plots.writePng(Plots.densityScatter(dataset.split("train").x().toDoubleArray(), drawn,
                    info.name() + ": samples over the data density"), dir.resolve("samples.png"));
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
                                perClass, rows, info.name() + ": samples per class"), dir.resolve("samples.png"));
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
                                dir.resolve(first ? "samples.png" : "samples-" + e.getKey() + ".png"));
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
            Plots.writePng(Plots.lineChart(series, title, "step"), dir.resolve(title + ".png"));
        }
    }

    /** The curves of the earlier invocations of a resumed run, from its metrics log. */
    private static void earlierCurves(Path dir, Map<String, Map<String, List<double[]>>> curves) throws IOException {
        Path log = dir.resolve(RunStore.METRICS_LOG);
        if (!Files.isRegularFile(log)) {
            return;
        }
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode node = Json.MAPPER.readTree(line);
            String component = node.path("component").asText();
            String phase = node.path("phase").asText();
            double step = node.path("step").asDouble();
            node.path("values").fields().forEachRemaining(v -> curves.computeIfAbsent(phase, x -> new LinkedHashMap<>())
                    .computeIfAbsent(component + "/" + v.getKey(), x -> new ArrayList<>())
                    .add(new double[] {step, v.getValue().asDouble()}));
        }
    }

    /** Records how long each phase took into run.json's {@code seconds}, and passes events on. */
    private static final class PhaseTimer implements RunListener {
        private final RunListener next;
        private final ObjectNode seconds;
        private String current;
        private long since;

        PhaseTimer(RunListener next, ObjectNode seconds) {
            this.next = next;
            this.seconds = seconds;
        }

        @Override
        public void phase(String runId, String phase, String component) {
            finish();
            current = phase + " " + component;
            since = System.nanoTime();
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
     * metrics.jsonl and the monotonic clock its lines are stamped with: {@code elapsed}, seconds since this run (or
     * this resume) started, so that a window of steps can be timed from the log alone (bench/torch_vs_genbench.sh).
     */
    private record RunLog(BufferedWriter writer, long startNanos) {
    }

    /** The context one component sees. */
    private static final class Ctx implements RunContext {
        private final String runId;
        private final String phase;
        private final Composition.Part part;
        private final Rng rng;
        private final BufferAllocator allocator;
        private final RunLog log;
        private final RunListener listener;
        private final AtomicReference<String> departed;
        private final Map<String, Map<String, List<double[]>>> curves;
        private final Checkpoints checkpoints;
        private final Path runDir;

        Ctx(Path runDir, String runId, String phase, Composition.Part part, Rng rng, BufferAllocator root, RunLog log,
            RunListener listener, AtomicReference<String> departed, Map<String, Map<String, List<double[]>>> curves,
            Checkpoints checkpoints) {
            this.runId = runId;
            this.phase = phase;
            this.part = part;
            this.rng = rng;
            this.allocator = root.newChildAllocator(part.registered().role().label + "/" + part.id(), 0, Long.MAX_VALUE);
            this.log = log;
            this.listener = listener;
            this.departed = departed;
            this.curves = curves;
            this.checkpoints = checkpoints;
            this.runDir = runDir;
        }

        @Override
        public Checkpoints checkpoints() {
            return checkpoints;
        }

        @Override
        public Path outputDirectory() throws IOException {
            return Files.createDirectories(runDir.resolve("outputs").resolve(part.id()));
        }

        @Override
        public Rng rng() {
            return rng;
        }

        @Override
        public BufferAllocator allocator() {
            return allocator;
        }

        @Override
        public void log(long step, Map<String, Double> values) {
            ObjectNode line = RunStore.object().put("component", part.id()).put("phase", phase).put("step", step)
                    .put("elapsed", (System.nanoTime() - log.startNanos()) / 1e9);
            ObjectNode v = line.putObject("values");
            values.forEach(v::put);
            try {
                log.writer().write(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(line));
                log.writer().newLine();
                log.writer().flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the metrics log", e);
            }
            values.forEach((k, val) -> curves.computeIfAbsent(phase, x -> new LinkedHashMap<>())
                    .computeIfAbsent(part.id() + "/" + k, x -> new ArrayList<>())
                    .add(new double[] {step, val}));
            listener.metrics(runId, part.id(), step, values);
        }

        @Override
        public void progress(long done, long total) {
            listener.progress(runId, phase, done, total);
        }

        @Override
        public boolean isCancelled() {
            return departed.get() != null || Thread.currentThread().isInterrupted();
        }

        /** Closes this component's allocator; a leak names the component. */
        void closeChecked() {
            try {
                allocator.close();
            } catch (IllegalStateException e) {
                throw new IllegalStateException(part.registered().role().label + " '" + part.id()
                        + "' leaked Arrow memory: " + e.getMessage(), e);
            }
        }
    }

}
