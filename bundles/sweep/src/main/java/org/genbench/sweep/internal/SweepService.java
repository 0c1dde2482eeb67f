package org.genbench.sweep.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.sweep.SweepPoint;
import org.genbench.sweep.SweepSpec;
import org.genbench.sweep.Sweeps;
import org.genbench.workbench.CompositionException;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunListener;
import org.genbench.workbench.RunResult;
import org.genbench.workbench.SpecException;
import org.genbench.workbench.Workbench;
import org.genbench.workbench.compare.Comparison;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@link Sweeps} service: runs points through the {@link Workbench} service, one run per point. */
@Component(service = Sweeps.class)
public final class SweepService implements Sweeps {
    /** Metrics drawn at most in sweep.png (the table has them all). */
    static final int MAX_PANELS = 6;

    private final Workbench workbench;

    @Activate
    public SweepService(@Reference Workbench workbench) {
        this.workbench = workbench;
    }

    private SweepStore store(SweepSpec spec) {
        return new SweepStore(directory(spec), workbench.workspace().resolve("runs").toAbsolutePath().normalize());
    }

    @Override
    public Path directory(SweepSpec spec) {
        return workbench.workspace().resolve("sweeps").resolve(spec.name()).toAbsolutePath().normalize();
    }

    @Override
    public List<PointState> plan(SweepSpec spec) {
        SweepStore store = store(spec);
        return spec.points().stream().map(store::read).toList();
    }

    @Override
    public PointState runPoint(SweepSpec spec, SweepPoint point, RunListener listener) throws IOException {
        SweepStore store = store(spec);
        PointState before = store.read(point);
        if (before.status() == Status.COMPLETED) {
            return before;
        }
        // An earlier attempt's directory (failed, interrupted, or cut off with its process) is replaced, never merged.
        // It goes once the new attempt's run directory exists, so the new run cannot take its name (ids have a
        // resolution of one second) and a sweep killed in between still finds it through the record.
        String earlier = before.runId();
        int attempt = before.attempts() + 1;
        store.write(point, Status.RUNNING, earlier, null, attempt);
        ExperimentSpec experiment;
        try {
            experiment = workbench.parseSpec(point.spec());
        } catch (SpecException e) {
            store.deleteRun(earlier);
            store.write(point, Status.FAILED, null, e.getMessage(), attempt);
            return store.read(point);
        }
        AtomicReference<String> runId = new AtomicReference<>();
        RunListener inner = listener == null ? RunListener.NONE : listener;
        RunListener recording = new RunListener() {
            private void seen(String id) {
                if (runId.compareAndSet(null, id)) {
                    try {
                        store.write(point, Status.RUNNING, id, null, attempt);
                        if (earlier != null && !earlier.equals(id)) {
                            store.deleteRun(earlier);
                        }
                    } catch (IOException e) {
                        // recorded at the end; a sweep killed before then finds the directory by the next record
                    }
                }
            }

            @Override
            public void phase(String id, String phase, String component) {
                seen(id);
                inner.phase(id, phase, component);
            }

            @Override
            public void progress(String id, String phase, long done, long total) {
                seen(id);
                inner.progress(id, phase, done, total);
            }

            @Override
            public void metrics(String id, String component, long step, Map<String, Double> values) {
                seen(id);
                inner.metrics(id, component, step, values);
            }
        };
        try {
            RunResult result = workbench.run(experiment, recording);
            store.write(point, Status.COMPLETED, result.id(), null, attempt);
        } catch (CompositionException e) {
            store.write(point, Status.FAILED, null, String.join("; ", e.problems()), attempt);
        } catch (RunFailedException e) {
            store.write(point, Status.FAILED, "-".equals(e.runId()) ? runId.get() : e.runId(), e.getMessage(), attempt);
        } catch (RuntimeException e) {
            store.write(point, Status.FAILED, runId.get(), String.valueOf(e), attempt);
        }
        if (earlier != null && !earlier.equals(store.read(point).runId())) {
            store.deleteRun(earlier); // refused before it had a directory: the earlier attempt goes all the same
        }
        return store.read(point);
    }

    @Override
    public Outcome run(SweepSpec spec, int parallel, Consumer<String> progress) throws IOException, InterruptedException {
        if (parallel < 1 || parallel > SweepSpec.MAX_PARALLEL) {
            throw new IllegalArgumentException("parallel must be from 1 to " + SweepSpec.MAX_PARALLEL + ", was " + parallel);
        }
        SweepStore store = store(spec);
        try (SweepStore.Lock lock = store.lock()) {
            List<PointState> plan = plan(spec);
            List<SweepPoint> todo = plan.stream().filter(s -> s.status() != Status.COMPLETED).map(PointState::point).toList();
            int done = plan.size() - todo.size();
            int settings = (int) plan.stream().map(s -> s.point().setting()).distinct().count();
            progress.accept(String.format(Locale.ROOT, "sweep %s: %d runs (%d settings x %d seeds): %d done, %d to run, %d at a time",
                    spec.name(), plan.size(), settings, spec.seeds().size(), done, todo.size(), Math.min(parallel, Math.max(1, todo.size()))));
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, todo.size())), r -> {
                Thread t = new Thread(r, "genbench-sweep-" + spec.name());
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (SweepPoint p : todo) {
                    futures.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        PointState s;
                        try {
                            s = runPoint(spec, p, RunListener.NONE);
                        } catch (IOException e) {
                            s = new PointState(p, Status.FAILED, null, "cannot record the point: " + e.getMessage(), 0);
                        }
                        int n = finished.incrementAndGet();
                        if (s.status() != Status.COMPLETED) {
                            failed.incrementAndGet();
                        }
                        progress.accept(String.format(Locale.ROOT, "[%d/%d] %s seed %d: %s%s (%.1f s)", n, todo.size(),
                                p.label().isEmpty() ? p.runName() : p.label(), p.seed(),
                                s.status() == Status.COMPLETED ? "completed " : "FAILED ",
                                s.status() == Status.COMPLETED ? s.runId() : s.error(), (System.nanoTime() - t0) / 1e9));
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw new IOException("a sweep worker failed: " + e.getCause(), e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            Report report = report(spec);
            return new Outcome(plan.size(), done, todo.size(), failed.get(), report);
        }
    }

    @Override
    public Report report(SweepSpec spec) throws IOException {
        SweepStore store = store(spec);
        List<PointState> plan = plan(spec);
        List<String> labels = new ArrayList<>();
        Map<Integer, Integer> column = new LinkedHashMap<>();
        for (PointState s : plan) {
            if (!column.containsKey(s.point().setting())) {
                column.put(s.point().setting(), labels.size());
                labels.add(s.point().label().isEmpty() ? s.point().runName() : s.point().label());
            }
        }
        List<PointState> completed = plan.stream().filter(s -> s.status() == Status.COMPLETED).toList();
        List<Path> dirs = completed.stream().map(s -> store.runDir(s.runId())).toList();
        Comparison c = Comparison.read(dirs);
        // members of each setting, as indices into the comparison's runs
        List<List<Integer>> members = new ArrayList<>();
        labels.forEach(l -> members.add(new ArrayList<>()));
        for (int i = 0; i < completed.size(); i++) {
            members.get(column.get(completed.get(i).point().setting())).add(i);
        }
        List<String[]> summary = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric", "kind"));
        for (int s = 0; s < labels.size(); s++) {
            header.add(labels.get(s) + " (n=" + members.get(s).size() + ")");
        }
        summary.add(header.toArray(String[]::new));
        ObjectNode json = SweepStore.JSON.createObjectNode().put("sweep", spec.name()).put("runs", plan.size())
                .put("completed", completed.size());
        ArrayNode settingsJson = json.putArray("settings");
        for (int s = 0; s < labels.size(); s++) {
            ObjectNode o = settingsJson.addObject().put("label", labels.get(s));
            ArrayNode runs = o.putArray("runs");
            for (int i : members.get(s)) {
                runs.addObject().put("run", completed.get(i).runId()).put("seed", completed.get(i).point().seed());
            }
        }
        ArrayNode metricsJson = json.putArray("metrics");
        List<SweepPlot.Panel> panels = new ArrayList<>();
        for (String name : c.metricNames()) {
            List<String> row = new ArrayList<>(List.of(name, c.kind(name)));
            ObjectNode mj = metricsJson.addObject().put("name", name).put("kind", c.kind(name));
            ArrayNode perSetting = mj.putArray("settings");
            List<double[]> values = new ArrayList<>();
            double[] mean = new double[labels.size()];
            double[] sd = new double[labels.size()];
            for (int s = 0; s < labels.size(); s++) {
                double[] v = members.get(s).stream().mapToDouble(i -> value(c, i, name)).toArray();
                values.add(v);
                Comparison.Group g = new Comparison.Group(labels.get(s), labels.get(s), members.get(s));
                Optional<Comparison.Stats> st = c.stats(g, name);
                ObjectNode sj = perSetting.addObject().put("label", labels.get(s));
                ArrayNode vj = sj.putArray("values");
                for (double x : v) {
                    if (Double.isFinite(x)) {
                        vj.add(x);
                    } else {
                        vj.addNull();
                    }
                }
                if (st.isPresent()) {
                    mean[s] = st.get().mean();
                    sd[s] = st.get().sd();
                    row.add(c.meanSd(g, name));
                    putFinite(sj, "mean", mean[s]);
                    putFinite(sj, "sd", sd[s]);
                    sj.put("n", st.get().n());
                } else {
                    // fewer than two seeds report it: the value itself when one does
                    double[] present = java.util.Arrays.stream(v).filter(x -> !Double.isNaN(x)).toArray();
                    mean[s] = present.length == 1 ? present[0] : Double.NaN;
                    sd[s] = Double.NaN;
                    row.add(present.length == 1 ? Comparison.format(present[0]) + (v.length > 1 ? " (n=1)" : "") : "-");
                    putFinite(sj, "mean", mean[s]);
                    sj.put("n", present.length);
                }
            }
            summary.add(row.toArray(String[]::new));
            panels.add(new SweepPlot.Panel(name, c.kind(name), values, mean, sd));
        }
        store.dir().toFile().mkdirs();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            out.println("sweep " + spec.name() + ": " + completed.size() + " of " + plan.size()
                    + " runs completed; mean ± sd over seeds per setting");
            Comparison.table(summary, out);
            if (!c.runs().isEmpty()) {
                out.println();
                out.println("every run:");
                c.print(out);
            }
        }
        Path table = store.dir().resolve("compare.txt");
        SweepStore.writeAtomically(table, text.toByteArray());
        Path summaryJson = store.dir().resolve("summary.json");
        SweepStore.writeAtomically(summaryJson, SweepStore.JSON.writeValueAsBytes(json));
        Path plot = store.dir().resolve("sweep.png");
        List<SweepPlot.Panel> chosen = choose(panels, c);
        String note = completed.size() + " of " + plan.size() + " runs; dots: seeds, line and whiskers: mean ± sd"
                + (chosen.size() < panels.size() ? "; " + chosen.size() + " of " + panels.size()
                + " metrics (all in compare.txt)" : "");
        writePng(SweepPlot.draw("sweep " + spec.name() + ": " + String.join(", ", spec.varied().isEmpty()
                ? List.of("seeds") : spec.varied()), note, labels, chosen), plot);
        return new Report(summary, table, summaryJson, plot, completed.size(), plan.size());
    }

    private static double value(Comparison c, int run, String name) {
        Comparison.Metric m = c.runs().get(run).metrics().get(name);
        return m == null ? Double.NaN : m.value();
    }

    private static void putFinite(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /**
     * The panels worth drawing: metrics that differ between runs (a sample count does not), evaluators' first, then
     * trainers', then samplers', standard errors last; at most {@link #MAX_PANELS}.
     */
    static List<SweepPlot.Panel> choose(List<SweepPlot.Panel> panels, Comparison c) {
        List<SweepPlot.Panel> varying = new ArrayList<>();
        for (SweepPlot.Panel p : panels) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] vs : p.values()) {
                for (double v : vs) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            if (hi > lo) {
                varying.add(p);
            }
        }
        Map<String, String> roles = new LinkedHashMap<>();
        c.runs().forEach(r -> r.metrics().forEach((k, m) -> roles.putIfAbsent(k, m.role())));
        // standard errors say how precise a value is; they come after the values themselves
        varying.sort(java.util.Comparator.comparingInt(p -> p.metric().endsWith("_se") ? 4
                : switch (roles.getOrDefault(p.metric(), "")) {
                    case "evaluator" -> 0;
                    case "trainer" -> 1;
                    case "sampler" -> 2;
                    default -> 3;
                }));
        return varying.subList(0, Math.min(MAX_PANELS, varying.size()));
    }

    private static void writePng(java.awt.image.BufferedImage image, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", bytes);
        SweepStore.writeAtomically(file, bytes.toByteArray());
    }
}
