package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.genbench.api.Capability;
import org.genbench.api.Evaluator;
import org.genbench.api.ModelFamily;
import org.genbench.api.Requirement;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.numerics.NumericsGate;
import org.genbench.workbench.ComponentInfo;
import org.genbench.workbench.OpenedRun;
import org.genbench.workbench.CompositionException;
import org.genbench.workbench.RunCompleteException;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunListener;
import org.genbench.workbench.RunRefusedException;
import org.genbench.workbench.RunResult;
import org.genbench.workbench.RunSummary;
import org.genbench.workbench.SpecException;
import org.genbench.workbench.Workbench;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The workbench service. Its workspace comes from the framework property {@code genbench.workspace} (the
 * launcher sets it); provenance of the platform libraries and the source commit from {@code genbench.libraries}
 * and {@code genbench.git.commit}; the per-phase time limit from {@code genbench.phase.timeout} (seconds, none
 * when absent or 0). A run starts only when the platform's numerics check passes on this machine ({@link NumericsGate}:
 * checked once per host and library versions, the outcome kept under {@code genbench.cache}, else
 * {@code ~/.cache/genbench}).
 *
 * <p>On activation (every start of a host) runs left {@code running} by a process that is gone are marked
 * {@code interrupted}. On deactivation (the framework stopping: a signal, the end of the CLI, a notebook kernel
 * shutting down) the runs under way are stopped and recorded as {@code interrupted}.
 */
@Component(service = Workbench.class)
public final class WorkbenchImpl implements Workbench {
    static final String STOPPING = "the workbench stopped while the run was going (a signal such as Ctrl-C or kill, or a"
            + " shutdown)";

    private final ComponentRegistry registry;
    private final Path workspace;
    private final BundleContext context;
    private final Map<String, String> libraries;
    private final String gitCommit;
    private final Duration phaseTimeout;
    private final long memoryBudget;
    private final Path cache;
    private final Map<String, RunControl> active = new ConcurrentHashMap<>();

    @Activate
    public WorkbenchImpl(@Reference ComponentRegistry registry, BundleContext context) {
        this(registry, Path.of(property(context, "genbench.workspace", "workspace")).toAbsolutePath(), context,
                parseLibraries(property(context, "genbench.libraries", "")), property(context, "genbench.git.commit", "unknown"),
                seconds(property(context, "genbench.phase.timeout", "0")),
                memory(property(context, "genbench.memory", "")),
                Path.of(property(context, "genbench.cache", NumericsGate.defaultCacheDir().toString())));
        new RunStore(workspace.resolve("runs")).reclaimStale();
    }

    WorkbenchImpl(ComponentRegistry registry, Path workspace, BundleContext context, Map<String, String> libraries,
                  String gitCommit) {
        this(registry, workspace, context, libraries, gitCommit, Duration.ZERO, Runtime.getRuntime().maxMemory(),
                NumericsGate.defaultCacheDir());
    }

    /**
     * @param memoryBudget bytes the settings of one run may ask for (checked at compose time); at most the JVM's
     *                     maximum heap
     * @param cache        where the numerics check keeps its outcome for this host and library versions
     */
    WorkbenchImpl(ComponentRegistry registry, Path workspace, BundleContext context, Map<String, String> libraries,
                  String gitCommit, Duration phaseTimeout, long memoryBudget, Path cache) {
        this.cache = cache;
        this.memoryBudget = memoryBudget;
        this.registry = registry;
        this.workspace = workspace;
        this.context = context;
        this.libraries = libraries;
        this.gitCommit = gitCommit;
        this.phaseTimeout = phaseTimeout;
    }

    /** The framework is stopping: every run under way stops and is recorded as interrupted before it goes. */
    @Deactivate
    void deactivate() {
        for (RunControl c : active.values()) {
            c.stop(RunStore.INTERRUPTED, STOPPING + " during " + c.phase() + (c.component().isEmpty() ? "" : " of " + c.component()));
        }
        long deadline = System.nanoTime() + Runner.GRACE.toNanos() + 1_000_000_000L;
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** {@code genbench.memory} in bytes, never more than the JVM's maximum heap. */
    static long memory(String value) {
        long heap = Runtime.getRuntime().maxMemory();
        try {
            long asked = Long.parseLong(value.trim());
            return asked > 0 ? Math.min(asked, heap) : heap;
        } catch (NumberFormatException e) {
            return heap;
        }
    }

    static Duration seconds(String value) {
        try {
            double s = Double.parseDouble(value.trim());
            return s > 0 && Double.isFinite(s) ? Duration.ofMillis(Math.round(s * 1000)) : Duration.ZERO;
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    @Override
    public List<ComponentInfo> components() {
        List<ComponentInfo> out = new ArrayList<>();
        for (Registered r : registry.all()) {
            List<String> caps;
            if (r.component() instanceof ModelFamily<?> f) {
                List<String> names = new ArrayList<>(f.capabilities().stream().map(Capability::nameOf).sorted().toList());
                if (!f.needsTraining()) {
                    names.add("needs no trainer");
                }
                caps = names;
            } else if (r.role() == Role.DATASET) {
                caps = List.of();
            } else {
                caps = List.of(requirement(r).describe());
            }
            out.add(new ComponentInfo(r.role().label, r.name(), r.component().description(), caps, r.bundle(), r.bundleVersion()));
        }
        return out;
    }

    private static Requirement requirement(Registered r) {
        if (r.component() instanceof Trainer<?> t) {
            return t.requires();
        }
        if (r.component() instanceof Sampler<?> s) {
            return s.requires();
        }
        if (r.component() instanceof Evaluator<?> e) {
            return e.requires();
        }
        return Requirement.none();
    }

    @Override
    public ExperimentSpec parseSpec(String json) throws SpecException {
        return SpecReader.parse(json);
    }

    @Override
    public ExperimentSpec readSpec(Path file) throws SpecException, IOException {
        return SpecReader.read(file);
    }

    @Override
    public void check(ExperimentSpec spec) throws CompositionException {
        new Composer(registry, memoryBudget).compose(spec);
    }

    @Override
    public RunResult run(ExperimentSpec spec, RunListener listener) throws CompositionException, RunFailedException {
        Composition composition = new Composer(registry, memoryBudget).compose(spec);
        return newRunner().run(composition, listener == null ? RunListener.NONE : listener);
    }

    @Override
    public RunResult resume(String runId, boolean force, RunListener listener) throws SpecException, IOException,
            CompositionException, RunFailedException, RunCompleteException {
        RunStore store = new RunStore(workspace.resolve("runs"));
        store.reclaimStale();
        Path dir = store.find(runId).orElseThrow(() -> new IOException("no run '" + runId + "' in " + store.root()));
        ObjectNode run = RunStore.readRun(dir).orElseThrow(() -> new IOException(dir.resolve(RunStore.RUN_JSON)
                + " cannot be read; the run cannot be resumed"));
        String status = run.path("status").asText();
        if (active.containsKey(dir.getFileName().toString()) || RunStore.RUNNING.equals(status)) {
            throw new IOException("run " + runId + " is still running (" + run.path("owner").path("host").asText("?")
                    + ", pid " + run.path("owner").path("pid").asText("?") + "); cancel it or wait for it");
        }
        if (RunStore.COMPLETED.equals(status) && !force) {
            throw new RunCompleteException(dir.getFileName().toString(), run.path("finished").asText(""));
        }
        Composition composition = new Composer(registry, memoryBudget).compose(readSpec(dir.resolve(RunStore.SPEC_JSON)));
        return newRunner().run(composition, listener == null ? RunListener.NONE : listener, dir, run);
    }

    @Override
    public OpenedRun open(String runId) throws SpecException, IOException, CompositionException {
        Path runs = workspace.resolve("runs");
        Path dir = runs.resolve(runId).normalize();
        if (!dir.getParent().equals(runs) || !Files.isRegularFile(dir.resolve(RunStore.SPEC_JSON))) {
            List<Path> matching = new ArrayList<>();
            if (Files.isDirectory(runs)) {
                try (var all = Files.list(runs)) {
                    all.filter(d -> d.getFileName().toString().contains(runId)
                            && Files.isRegularFile(d.resolve(RunStore.SPEC_JSON))).sorted().forEach(matching::add);
                }
            }
            if (matching.size() != 1) {
                throw new IOException(matching.isEmpty() ? "no run '" + runId + "' in " + runs
                        : "'" + runId + "' matches " + matching.size() + " runs: "
                                + matching.stream().map(p -> p.getFileName().toString()).toList());
            }
            dir = matching.get(0);
        }
        com.fasterxml.jackson.databind.JsonNode run = Json.MAPPER.readTree(dir.resolve(RunStore.RUN_JSON).toFile());
        if (!"completed".equals(run.path("status").asText())) {
            throw new IOException("run " + dir.getFileName() + " is " + run.path("status").asText("unknown")
                    + ", not completed: its model was not saved at the end");
        }
        String checksum = null;
        Path provenance = dir.resolve(RunStore.PROVENANCE_JSON);
        if (Files.isRegularFile(provenance)) {
            com.fasterxml.jackson.databind.JsonNode p = Json.MAPPER.readTree(provenance.toFile()).path("datasetChecksum");
            checksum = p.isTextual() ? p.asText() : null;
        }
        Composition composition = new Composer(registry, memoryBudget).compose(readSpec(dir.resolve(RunStore.SPEC_JSON)));
        return OpenedRunImpl.open(dir.getFileName().toString(), dir, composition, checksum);
    }

    @Override
    public boolean cancel(String runId) {
        RunControl c = active.get(runId);
        return c != null && c.stop(RunStore.INTERRUPTED, "cancelled during " + c.phase()
                + (c.component().isEmpty() ? "" : " of " + c.component()));
    }

    @Override
    public List<String> activeRuns() {
        return List.copyOf(new java.util.TreeSet<>(active.keySet()));
    }

    @Override
    public List<String> pluginProblems() {
        List<String> out = new ArrayList<>(registry.notStarted());
        out.addAll(registry.shadowed());
        return out;
    }

    /** A runner, once the platform's numerics check has passed on this machine; refused (no run directory) otherwise. */
    private Runner newRunner() throws RunRefusedException {
        NumericsGate.Report numerics = NumericsGate.ensure(cache);
        if (!numerics.ok()) {
            throw new RunRefusedException(workspace.resolve("runs"), numerics.refusal());
        }
        return new Runner(new RunStore(workspace.resolve("runs")), registry, platformBundles(), libraries, gitCommit,
                phaseTimeout, active, Runner.GRACE, numerics.provenance());
    }

    @Override
    public List<RunSummary> runs() throws IOException {
        RunStore store = new RunStore(workspace.resolve("runs"));
        store.reclaimStale();
        return store.list();
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    /** The genbench bundles of the platform itself (api, tensor, stats, workbench) for provenance. */
    private Map<String, String> platformBundles() {
        Map<String, String> out = new LinkedHashMap<>();
        if (context != null) {
            for (Bundle b : context.getBundles()) {
                String bsn = b.getSymbolicName();
                if (bsn != null && Set.of("org.genbench.api", "org.genbench.tensor", "org.genbench.stats",
                        "org.genbench.workbench").contains(bsn)) {
                    out.put(bsn, b.getVersion().toString());
                }
            }
        }
        return out;
    }

    private static String property(BundleContext context, String key, String fallback) {
        String v = context == null ? null : context.getProperty(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** {@code name=version,name=version}. */
    static Map<String, String> parseLibraries(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : s.split(",")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                out.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
            }
        }
        return out;
    }
}
