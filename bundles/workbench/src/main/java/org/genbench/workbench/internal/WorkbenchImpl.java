package org.genbench.workbench.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.osgi.service.component.annotations.Reference;

/**
 * The workbench service. Its workspace comes from the framework property {@code genbench.workspace} (the
 * launcher sets it); provenance of the platform libraries and the source commit from {@code genbench.libraries}
 * and {@code genbench.git.commit}. A run starts only when the platform's numerics check passes on this machine
 * ({@link NumericsGate}: checked once per host and library versions, the outcome kept under {@code genbench.cache},
 * else {@code ~/.cache/genbench}).
 */
@Component(service = Workbench.class)
public final class WorkbenchImpl implements Workbench {
    private final ComponentRegistry registry;
    private final Path workspace;
    private final BundleContext context;
    private final Map<String, String> libraries;
    private final String gitCommit;
    private final Path cache;

    @Activate
    public WorkbenchImpl(@Reference ComponentRegistry registry, BundleContext context) {
        this(registry, Path.of(property(context, "genbench.workspace", "workspace")).toAbsolutePath(), context,
                parseLibraries(property(context, "genbench.libraries", "")), property(context, "genbench.git.commit", "unknown"),
                Path.of(property(context, "genbench.cache", NumericsGate.defaultCacheDir().toString())));
    }

    WorkbenchImpl(ComponentRegistry registry, Path workspace, BundleContext context, Map<String, String> libraries,
                  String gitCommit, Path cache) {
        this.registry = registry;
        this.workspace = workspace;
        this.context = context;
        this.libraries = libraries;
        this.gitCommit = gitCommit;
        this.cache = cache;
    }

    @Override
    public List<ComponentInfo> components() {
        List<ComponentInfo> out = new ArrayList<>();
        for (Registered r : registry.all()) {
            List<String> caps;
            if (r.component() instanceof ModelFamily<?> f) {
                caps = f.capabilities().stream().map(Capability::nameOf).sorted().toList();
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
        try {
            ExperimentSpec spec = Json.MAPPER.readValue(json, ExperimentSpec.class);
            if (spec == null) {
                throw new SpecException("the spec is empty", null);
            }
            return spec;
        } catch (JsonProcessingException e) {
            throw new SpecException("invalid spec: " + Json.describe(e), e);
        }
    }

    @Override
    public ExperimentSpec readSpec(Path file) throws SpecException, IOException {
        try {
            return parseSpec(Files.readString(file));
        } catch (SpecException e) {
            throw new SpecException(file + ": " + e.getMessage(), e.getCause());
        }
    }

    @Override
    public void check(ExperimentSpec spec) throws CompositionException {
        new Composer(registry).compose(spec);
    }

    @Override
    public RunResult run(ExperimentSpec spec, RunListener listener) throws CompositionException, RunFailedException {
        Composition composition = new Composer(registry).compose(spec);
        return newRunner().run(composition, listener == null ? RunListener.NONE : listener);
    }

    @Override
    public RunResult resume(String runId, RunListener listener) throws SpecException, IOException,
            CompositionException, RunFailedException {
        Path dir = workspace.resolve("runs").resolve(runId).normalize();
        if (!dir.getParent().equals(workspace.resolve("runs")) || !Files.isRegularFile(dir.resolve(RunStore.SPEC_JSON))) {
            throw new IOException("no run '" + runId + "' in " + workspace.resolve("runs"));
        }
        Composition composition = new Composer(registry).compose(readSpec(dir.resolve(RunStore.SPEC_JSON)));
        return newRunner().run(composition, listener == null ? RunListener.NONE : listener, dir, true);
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
        Composition composition = new Composer(registry).compose(readSpec(dir.resolve(RunStore.SPEC_JSON)));
        return OpenedRunImpl.open(dir.getFileName().toString(), dir, composition, checksum);
    }

    /** A runner, once the numerics check has passed on this machine; refused (no run directory) otherwise. */
    private Runner newRunner() throws RunRefusedException {
        NumericsGate.Report numerics = NumericsGate.ensure(cache);
        if (!numerics.ok()) {
            throw new RunRefusedException(workspace.resolve("runs"), numerics.refusal());
        }
        return new Runner(new RunStore(workspace.resolve("runs")), registry, platformBundles(), libraries, gitCommit,
                numerics.provenance());
    }

    @Override
    public List<RunSummary> runs() throws IOException {
        return new RunStore(workspace.resolve("runs")).list();
    }

    @Override
    public Path workspace() {
        return workspace;
    }

    /** The genbench bundles of the platform itself (api, tensor, workbench) for provenance. */
    private Map<String, String> platformBundles() {
        Map<String, String> out = new LinkedHashMap<>();
        if (context != null) {
            for (Bundle b : context.getBundles()) {
                String bsn = b.getSymbolicName();
                if (bsn != null && Set.of("org.genbench.api", "org.genbench.tensor", "org.genbench.workbench").contains(bsn)) {
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
