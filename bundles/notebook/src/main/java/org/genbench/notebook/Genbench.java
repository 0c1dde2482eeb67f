package org.genbench.notebook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.genbench.host.HostCommand;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;

/**
 * The workbench from a notebook cell. {@link #start()} boots an embedded workbench (the same host as
 * {@code bin/genbench}: Felix with the default features, FileInstall watching {@code workspace/plugins/}) in the
 * kernel's JVM; then {@link #components()}, {@link #run(Experiment)}, {@link #runs()} and {@link #load(String)}.
 *
 * <p>It talks to the framework only through {@link HostCommand}, the verbs of the CLI, and reads results from the
 * run directory files, so a notebook run and a CLI run are the same code path and the host class path never needs
 * a bundle's classes.
 */
public final class Genbench implements AutoCloseable {
    private static final Pattern COMPLETED = Pattern.compile("^run (\\S+) (?:resumed and )?completed: (.+)$", Pattern.MULTILINE);
    private static Genbench embedded;

    private final Path home;
    private final Path workspace;
    private final Host host;
    private final boolean owned;

    private Genbench(Path home, Path workspace, Host host, boolean owned) {
        this.home = home;
        this.workspace = workspace;
        this.host = host;
        this.owned = owned;
    }

    /**
     * Starts the embedded workbench with the default features; home from {@code GENBENCH_HOME} (or the checkout
     * above the working directory), workspace from {@code GENBENCH_WORKSPACE} (or {@code home/workspace}). Calling
     * it again in the same kernel returns the running one, so re-running a cell does not boot a second framework.
     */
    public static synchronized Genbench start() {
        return start(HostConfig.DEFAULT_FEATURES.toArray(String[]::new));
    }

    public static synchronized Genbench start(String... features) {
        Path home = defaultHome();
        return start(home, defaultWorkspace(home), List.of(features));
    }

    public static synchronized Genbench start(Path home, Path workspace, List<String> features) {
        Path ws = workspace.toAbsolutePath().normalize();
        if (embedded != null) {
            if (embedded.workspace.equals(ws)) {
                System.out.println("genbench: already running in this kernel (workspace " + ws + ")");
                return embedded;
            }
            throw new IllegalStateException("a workbench on " + embedded.workspace + " runs in this kernel; close() it first");
        }
        long t0 = System.nanoTime();
        try {
            Host host = Host.start(new HostConfig(home, ws, features, null));
            host.commands(Duration.ofSeconds(60));
            embedded = new Genbench(home.toAbsolutePath().normalize(), ws, host, true);
            // The kernel may end without a goodbye; stop the framework so its storage is cleaned up.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Genbench g = embedded;
                if (g != null) {
                    g.close();
                }
            }, "genbench-notebook-shutdown"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the workbench (home " + home + "): " + e.getMessage(), e);
        }
        System.out.printf("genbench: workbench started in %.1f s (features %s, workspace %s)%n",
                (System.nanoTime() - t0) / 1e9, String.join(",", features), ws);
        return embedded;
    }

    /**
     * Attaches to a workbench already running in this JVM (a host a test or an application started). Attaching to
     * a workbench in another process would need a remote channel the host does not offer; two processes can share
     * one workspace instead, since every result is a file (see {@link #open(Path)}).
     */
    public static Genbench attach(Host host, Path home, Path workspace) {
        return new Genbench(home.toAbsolutePath().normalize(), workspace.toAbsolutePath().normalize(), host, false);
    }

    /** A workspace's runs without a running workbench: for reading and comparing runs made elsewhere. */
    public static Genbench open(Path workspace) {
        Path ws = workspace.toAbsolutePath().normalize();
        return new Genbench(ws.getParent(), ws, null, false);
    }

    static Path defaultHome() {
        String env = System.getenv("GENBENCH_HOME");
        if (env == null || env.isBlank()) {
            env = System.getProperty("genbench.home");
        }
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        // A notebook's working directory is workspace/notebooks/ of a checkout: walk up to the checkout.
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("features/core.json"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find genbench: set GENBENCH_HOME to the checkout (it holds features/core.json)");
    }

    static Path defaultWorkspace(Path home) {
        String env = System.getenv("GENBENCH_WORKSPACE");
        if (env == null || env.isBlank()) {
            env = System.getProperty("genbench.workspace");
        }
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath().normalize() : home.resolve("workspace");
    }

    public Path home() {
        return home;
    }

    public Path workspace() {
        return workspace;
    }

    private HostCommand commands() {
        if (host == null) {
            throw new IllegalStateException("no workbench is running here (opened read-only); use Genbench.start()");
        }
        try {
            return host.commands(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the workbench", e);
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result exec(PrintStream progress, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = progress != null ? progress : new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = commands().execute(List.of(args), o, e);
        }
        String errText = progress instanceof Progress p ? p.errors() : err.toString(StandardCharsets.UTF_8);
        return new Result(status, out.toString(StandardCharsets.UTF_8), errText);
    }

    /**
     * Installed components: role, name, what a model provides or what the others need, bundle and version. Parsed
     * from the {@code list} verb's aligned table, column by column along its rule line.
     */
    public Table components() {
        Result r = exec(null, "list");
        if (r.status() != 0) {
            throw new IllegalStateException("list failed: " + r.err());
        }
        return parseComponents(r.out());
    }

    /** The {@code list} verb's table: fixed-width columns, found from the dashes of its rule line. */
    static Table parseComponents(String listOutput) {
        List<String> lines = listOutput.lines().toList();
        Table.Builder t = Table.builder("role", "name", "capabilities", "bundle", "version", "description");
        if (lines.size() < 2) {
            return t.build();
        }
        List<Integer> starts = new ArrayList<>();
        String rule = lines.get(1);
        for (int i = 0; i < rule.length(); i++) {
            if (rule.charAt(i) == '-' && (i == 0 || rule.charAt(i - 1) == ' ')) {
                starts.add(i);
            }
        }
        if (starts.size() != 5) {
            throw new IllegalStateException("the list verb's output changed shape; expected 5 columns:\n" + listOutput);
        }
        for (String line : lines.subList(2, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cell = new String[starts.size()];
            for (int c = 0; c < cell.length; c++) {
                int from = Math.min(starts.get(c), line.length());
                int to = c + 1 < cell.length ? Math.min(starts.get(c + 1), line.length()) : line.length();
                cell[c] = line.substring(from, to).trim();
            }
            String[] bundle = cell[3].split(" ", 2);
            t.row(cell[0], cell[1], cell[2], bundle[0], bundle.length > 1 ? bundle[1] : "", cell[4]);
        }
        return t.build();
    }

    /** Composes without running: unknown components, bad settings, missing capabilities, by name. */
    public String check(Experiment experiment) {
        Path spec = temporarySpec(experiment);
        try {
            Result r = exec(null, "check", spec.toString());
            if (r.status() != 0) {
                throw new IllegalArgumentException(clean(r.err(), spec, experiment));
            }
            return experiment.name() + ": ok";
        } finally {
            deleteQuietly(spec);
        }
    }

    /**
     * Runs the experiment in the workbench, showing its phases and logged steps in the cell as it goes, and
     * returns the run. A spec that does not compose fails before anything is written, naming the culprit.
     */
    public Run run(Experiment experiment) {
        if (experiment.seed() == null) {
            throw new IllegalArgumentException("experiment '" + experiment.name() + "' has no seed; add .seed(n)");
        }
        Path spec = temporarySpec(experiment);
        try {
            Progress progress = new Progress(System.out, workspace.resolve("runs"));
            Result r;
            try {
                r = exec(progress, "run", spec.toString());
            } finally {
                progress.finish();
            }
            Matcher m = COMPLETED.matcher(r.out());
            if (r.status() != 0 || !m.find()) {
                throw new IllegalStateException(clean(r.err(), spec, experiment));
            }
            return new Run(Path.of(m.group(2).trim()));
        } finally {
            deleteQuietly(spec);
        }
    }

    /**
     * Runs a sweep spec file ({@code bin/genbench sweep}): the points not completed yet, {@code parallel} at a time
     * (0: the spec's own setting), the progress in the cell; returns the sweep's table and plot. Run again after an
     * interruption, it runs only what is missing.
     */
    public Sweep sweep(Path specFile, int parallel) {
        List<String> args = new ArrayList<>(List.of("sweep"));
        if (parallel > 0) {
            args.addAll(List.of("--parallel", Integer.toString(parallel)));
        }
        args.add(specFile.toAbsolutePath().toString());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                System.out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                System.out.write(b, off, len);
            }

            @Override
            public void flush() {
                System.out.flush();
            }
        }, true, StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = commands().execute(args, o, progress);
        }
        progress.flush();
        String name;
        try {
            name = Experiment.JSON.readTree(Files.readString(specFile)).path("name").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dir = workspace.resolve("sweeps").resolve(name);
        if (!Files.isRegularFile(dir.resolve("summary.json"))) {
            throw new IllegalStateException("sweep failed: " + captured.toString(StandardCharsets.UTF_8).strip());
        }
        Sweep sweep = new Sweep(dir, workspace);
        if (status != 0) {
            System.out.println("genbench: some runs of the sweep failed; run it again to retry them");
        }
        return sweep;
    }

    public Sweep sweep(Path specFile) {
        return sweep(specFile, 0);
    }

    /**
     * The sweep on Apache Spark ({@code bin/genbench sweep --spark}): {@code local[N]} runs N points at a time in
     * this kernel's JVM, on this workbench; a cluster master runs them on its executors (see docs/spark.md). The
     * same spec gives the same runs and metrics as {@link #sweep(Path)}.
     */
    public Sweep sweep(Path specFile, String sparkMaster) {
        if (host == null) {
            throw new IllegalStateException("no workbench is running here (opened read-only); use Genbench.start()");
        }
        int status;
        try {
            status = org.genbench.launcher.SparkSweeps.sweep(sparkMaster, host,
                    new HostConfig(home, workspace, HostConfig.DEFAULT_FEATURES, null), specFile.toAbsolutePath(),
                    System.out, System.out);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the Spark sweep failed: " + e.getMessage(), e);
        }
        String name;
        try {
            name = Experiment.JSON.readTree(Files.readString(specFile)).path("name").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dir = workspace.resolve("sweeps").resolve(name);
        if (!Files.isRegularFile(dir.resolve("summary.json"))) {
            throw new IllegalStateException("the Spark sweep wrote no results (status " + status + ")");
        }
        if (status != 0) {
            System.out.println("genbench: some runs of the sweep did not complete; run it again to finish them");
        }
        return new Sweep(dir, workspace);
    }

    /**
     * A sweep of {@code base}: every combination of the grid's values (by setting path, e.g.
     * {@code "model.config.components"} or {@code "samplers[0].config.stepSize"}), each run once per seed.
     */
    public Sweep sweep(Experiment base, Map<String, ? extends List<?>> grid, long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("give the sweep's seeds, e.g. sweep(e, grid, 1, 2, 3)");
        }
        Experiment withSeed = base.seed() == null ? base.seed(seeds[0]) : base;
        try {
            com.fasterxml.jackson.databind.node.ObjectNode spec =
                    (com.fasterxml.jackson.databind.node.ObjectNode) Experiment.JSON.readTree(withSeed.json());
            spec.set("sweep", Experiment.JSON.valueToTree(Sweep.section(grid, seeds)));
            Path dir = Files.createTempDirectory("genbench-notebook-");
            Path file = dir.resolve(base.name() + ".json");
            Files.writeString(file, Experiment.JSON.writeValueAsString(spec));
            try {
                return sweep(file, 0);
            } finally {
                deleteQuietly(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sweep of this workspace by name, read without running anything. */
    public Sweep loadSweep(String name) {
        return Sweep.open(workspace, name);
    }

    /** The experiment once per seed: the runs of a comparison across seeds. */
    public List<Run> runSeeds(Experiment experiment, long... seeds) {
        List<Run> out = new ArrayList<>();
        for (long s : seeds) {
            out.add(run(experiment.seed(s)));
        }
        return out;
    }

    private Path temporarySpec(Experiment experiment) {
        try {
            // Outside the workspace: a notebook should not leave spec files behind in experiments/.
            Path dir = Files.createTempDirectory("genbench-notebook-");
            return experiment.write(dir.resolve(experiment.name() + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path spec) {
        try {
            Files.deleteIfExists(spec);
            Files.deleteIfExists(spec.getParent());
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }

    /** The CLI names the spec file in its messages; in a notebook the experiment's name says more. */
    private static String clean(String err, Path spec, Experiment experiment) {
        return err.replace(spec.toString(), "experiment '" + experiment.name() + "'").strip();
    }

    /** Past runs in the workspace, newest first: id, name, seed, status. */
    public Table runs() {
        Table.Builder t = Table.builder("run", "name", "seed", "status");
        for (Run r : allRuns()) {
            t.row(r.id(), r.name(), r.seed(), r.status());
        }
        return t.build();
    }

    private List<Run> allRuns() {
        Path runs = workspace.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        List<Run> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs, Files::isDirectory)) {
            for (Path d : dirs) {
                if (Files.isRegularFile(d.resolve("run.json"))) {
                    out.add(new Run(d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(Run::id).reversed());
        return out;
    }

    /** A past run by its id (the directory name under runs/). */
    public Run load(String runId) {
        return new Run(workspace.resolve("runs").resolve(runId));
    }

    /** The newest run of the experiment called {@code name}. */
    public Run latest(String name) {
        return allRuns().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no run named '" + name + "' in " + workspace.resolve("runs")));
    }

    /** The jar of a bundle in genbench's bundle repository ({@code features/target/bundles}), e.g. {@code model.gaussian}. */
    public Path bundle(String artifact) {
        Path repo = home.resolve("features/target/bundles");
        try (Stream<Path> jars = Files.list(repo)) {
            return jars.filter(p -> p.getFileName().toString().matches(Pattern.quote(artifact) + "-\\d.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no bundle " + artifact + " in " + repo));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + repo, e);
        }
    }

    /**
     * Hot-loads a plug-in: drops the jar into {@code workspace/plugins/} (whole, by an atomic rename, so FileInstall
     * never sees half a jar) and waits until its components are listed. Returns them.
     */
    public Table install(Path jar) {
        String symbolicName = symbolicName(jar);
        Path plugins = workspace.resolve("plugins");
        try {
            Files.createDirectories(plugins);
            Path target = plugins.resolve(jar.getFileName());
            Path part = plugins.resolve(jar.getFileName() + ".part");
            Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + jar, e);
        }
        long t0 = System.nanoTime();
        Table mine = awaitComponents(symbolicName, true);
        System.out.printf("genbench: %s installed, %d component(s) live after %.0f ms%n", symbolicName, mine.size(),
                (System.nanoTime() - t0) / 1e6);
        return mine;
    }

    /** Removes a plug-in installed from {@code workspace/plugins/} by its jar name or bundle symbolic name. */
    public void uninstall(String name) {
        Path plugins = workspace.resolve("plugins");
        String removed = null;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(plugins, "*.jar")) {
            for (Path jar : jars) {
                String bsn = symbolicName(jar);
                if (jar.getFileName().toString().startsWith(name) || bsn.equals(name) || bsn.endsWith("." + name)) {
                    Files.delete(jar);
                    removed = bsn;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot uninstall " + name, e);
        }
        if (removed == null) {
            throw new IllegalArgumentException("no plug-in '" + name + "' in " + plugins);
        }
        awaitComponents(removed, false);
        System.out.println("genbench: " + removed + " uninstalled");
    }

    private Table awaitComponents(String symbolicName, boolean present) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Table mine = components().where("bundle", symbolicName);
            if ((mine.size() > 0) == present) {
                return mine;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(symbolicName + (present ? " did not come up" : " did not go away") + " within 30 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    static String symbolicName(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            String bsn = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            if (bsn == null) {
                throw new IllegalArgumentException(jar + " is not an OSGi bundle (no Bundle-SymbolicName)");
            }
            return bsn.split(";")[0].trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** Final metrics of runs side by side; metrics named {@code component/metric}. */
    public static Table compare(List<Run> runs, String... metrics) {
        return Run.compare(runs, metrics);
    }

    /** All final metrics of several runs in one long table (run, role, component, metric, value, kind). */
    public static Table metrics(List<Run> runs) {
        List<List<Object>> rows = new ArrayList<>();
        List<String> cols = null;
        for (Run r : runs) {
            Table t = r.metrics();
            cols = t.columns();
            rows.addAll(t.rows());
        }
        return new Table(cols == null ? Arrays.asList("run", "role", "component", "metric", "value", "kind") : cols, rows);
    }

    /** Stops the embedded workbench (a later {@link #start()} boots a new one). Attached hosts are left running. */
    @Override
    public void close() {
        synchronized (Genbench.class) {
            if (embedded == this) {
                embedded = null;
            }
        }
        if (owned && host != null) {
            try {
                host.close();
            } catch (Exception e) {
                System.err.println("genbench: stopping the workbench: " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "genbench workbench (" + (host == null ? "read-only" : owned ? "embedded" : "attached") + ", workspace "
                + workspace + ")";
    }
}
