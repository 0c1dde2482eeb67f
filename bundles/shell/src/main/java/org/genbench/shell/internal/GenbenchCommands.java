package org.genbench.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.host.HostCommand;
import org.genbench.numerics.NumericsGate;
import org.genbench.workbench.ComponentInfo;
import org.genbench.workbench.CompositionException;
import org.genbench.workbench.RunCompleteException;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunRefusedException;
import org.genbench.workbench.RunResult;
import org.genbench.workbench.RunSummary;
import org.genbench.workbench.SpecException;
import org.genbench.workbench.Workbench;
import org.genbench.sweep.Sweeps;
import org.genbench.workbench.compare.Comparison;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The verbs of {@code bin/genbench} and of the Gogo console ({@code genbench:run}, ...), one implementation for
 * both. Exit status: 0 success, 1 a spec or run failed, 2 bad usage.
 */
@Component(service = {HostCommand.class, GenbenchCommands.class}, property = {
        "osgi.command.scope=genbench",
        "osgi.command.function=run",
        "osgi.command.function=check",
        "osgi.command.function=list",
        "osgi.command.function=runs",
        "osgi.command.function=resume",
        "osgi.command.function=cancel",
        "osgi.command.function=compare",
        "osgi.command.function=compress",
        "osgi.command.function=decompress",
        "osgi.command.function=doctor",
        "osgi.command.function=sweep"})
public final class GenbenchCommands implements HostCommand {
    private static final String VERBS = "run, check, resume, cancel, list, runs, compare, sweep, compress, decompress, doctor";
    private final Workbench workbench;
    private final Sweeps sweeps;
    private final Path cache;

    @Activate
    public GenbenchCommands(@Reference Workbench workbench, @Reference Sweeps sweeps, BundleContext context) {
        this.workbench = workbench;
        this.sweeps = sweeps;
        String configured = context == null ? null : context.getProperty("genbench.cache");
        this.cache = configured == null || configured.isBlank() ? NumericsGate.defaultCacheDir() : Path.of(configured);
    }

    @Override
    public int execute(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("no verb given; verbs: " + VERBS);
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "run" -> run(rest, out, err, true);
            case "check" -> run(rest, out, err, false);
            case "list" -> list(out, err);
            case "runs" -> runs(out, err);
            case "resume" -> resume(rest, out, err);
            case "cancel" -> cancel(rest, out, err);
            case "compare" -> compare(rest, out, err);
            case "compress" -> new CompressCommands(workbench).compress(rest, out, err);
            case "decompress" -> new CompressCommands(workbench).decompress(rest, out, err);
            case "sweep" -> SweepCommand.execute(sweeps, workbench.workspace(), rest, out, err);
            case "doctor" -> new Doctor(workbench.workspace(), cache, System.getenv()).run(out);
            default -> {
                err.println("unknown verb '" + args.get(0) + "'; verbs: " + VERBS);
                yield 2;
            }
        };
    }

    // Gogo entry points: the console prints what they write to System.out.
    public void run(String... specs) {
        run(List.of(specs), System.out, System.out, true);
    }

    public void check(String... specs) {
        run(List.of(specs), System.out, System.out, false);
    }

    public void list() {
        list(System.out, System.out);
    }

    public void runs() {
        runs(System.out, System.out);
    }

    public void resume(String... args) {
        resume(List.of(args), System.out, System.out);
    }

    /** In the console, a run started in the background ({@code genbench:run spec.json &}) is stopped with this. */
    public void cancel(String... runs) {
        cancel(List.of(runs), System.out, System.out);
    }

    private int cancel(List<String> ids, PrintStream out, PrintStream err) {
        if (ids.isEmpty()) {
            List<String> active = workbench.activeRuns();
            err.println("name a run to cancel; under way here: " + (active.isEmpty() ? "none" : String.join(", ", active)));
            return 2;
        }
        int status = 0;
        for (String id : ids) {
            if (workbench.cancel(id)) {
                out.println("run " + id + ": asked to stop; it is recorded as interrupted at its next step");
            } else {
                err.println("run " + id + " is not under way in this workbench; under way: " + workbench.activeRuns());
                status = 1;
            }
        }
        return status;
    }

    public void sweep(String... args) {
        SweepCommand.execute(sweeps, workbench.workspace(), List.of(args), System.out, System.out);
    }

    public void compare(String... runs) {
        compare(List.of(runs), System.out, System.out);
    }

    public void compress(String... args) {
        new CompressCommands(workbench).compress(List.of(args), System.out, System.out);
    }

    public void decompress(String... args) {
        new CompressCommands(workbench).decompress(List.of(args), System.out, System.out);
    }

    public void doctor() {
        new Doctor(workbench.workspace(), cache, System.getenv()).run(System.out);
    }

    /** One table of several runs' final metrics, with mean ± sd over runs that differ only by seed. */
    private int compare(List<String> ids, PrintStream out, PrintStream err) {
        if (ids.isEmpty()) {
            err.println("name the runs to compare: run ids (see genbench runs), unique parts of them, or run directories");
            return 2;
        }
        List<Path> dirs = new ArrayList<>();
        for (String id : ids) {
            Path dir = runDirectory(id, err);
            if (dir == null) {
                return 1;
            }
            dirs.add(dir);
        }
        try {
            Comparison.read(dirs).print(out);
            return 0;
        } catch (IOException e) {
            err.println("cannot compare: " + e.getMessage());
            return 1;
        }
    }

    /** A run id, a unique part of one, or a run directory's path; null (with the reason printed) if none or several. */
    private Path runDirectory(String id, PrintStream err) {
        Path runs = workbench.workspace().resolve("runs");
        if (Files.isDirectory(runs.resolve(id))) {
            return runs.resolve(id);
        }
        if (Files.isRegularFile(Path.of(id).resolve("spec.json"))) {
            return Path.of(id);
        }
        List<Path> matching = new ArrayList<>();
        try (var dirs = Files.list(runs)) {
            dirs.filter(d -> d.getFileName().toString().contains(id)).sorted().forEach(matching::add);
        } catch (IOException e) {
            err.println("cannot list " + runs + ": " + e.getMessage());
            return null;
        }
        if (matching.size() == 1) {
            return matching.get(0);
        }
        err.println(matching.isEmpty() ? "no run '" + id + "' in " + runs
                : "'" + id + "' matches " + matching.size() + " runs: " + matching.stream()
                        .map(p -> p.getFileName().toString()).toList());
        return null;
    }

    private int resume(List<String> args, PrintStream out, PrintStream err) {
        List<String> ids = new ArrayList<>(args);
        boolean force = ids.remove("--force");
        if (ids.size() != 1) {
            err.println("name one run to resume (see genbench runs): resume [--force] RUN");
            return 2;
        }
        try {
            RunResult result = workbench.resume(ids.get(0), force, new ProgressBar(err, System.console() != null));
            out.println("run " + result.id() + " resumed and completed: " + result.directory());
            printMetrics(result, out);
            return 0;
        } catch (RunCompleteException e) {
            out.println(e.getMessage());
            return 0;
        } catch (SpecException | IOException e) {
            err.println(e.getMessage());
        } catch (CompositionException e) {
            err.println(ids.get(0) + ": cannot compose the experiment:");
            e.problems().forEach(p -> err.println("  - " + p));
        } catch (RunFailedException e) {
            failed(e, err);
        }
        return 1;
    }

    private static void failed(RunFailedException e, PrintStream err) {
        err.println(e.getMessage());
        if (e instanceof RunRefusedException) {
            return; // refused before it began: no run directory to point to
        }
        Path log = e.directory().resolve("error.log");
        err.println("  details: " + e.directory().resolve("run.json") + (Files.isRegularFile(log) ? ", " + log : ""));
    }

    private int run(List<String> specs, PrintStream out, PrintStream err, boolean execute) {
        if (specs.isEmpty()) {
            err.println("name at least one spec file, e.g. workspace/experiments/quickstart.json");
            return 2;
        }
        int status = 0;
        for (String file : specs) {
            Path path = resolve(file);
            try {
                ExperimentSpec spec = workbench.readSpec(path);
                if (!execute) {
                    workbench.check(spec);
                    out.println(path + ": ok");
                    continue;
                }
                RunResult result = workbench.run(spec, new ProgressBar(err, System.console() != null));
                out.println("run " + result.id() + " completed: " + result.directory());
                printMetrics(result, out);
            } catch (NoSuchFileException e) {
                err.println(file + ": no such spec file");
                status = 1;
            } catch (SpecException e) {
                err.println(e.getMessage());
                status = 1;
            } catch (CompositionException e) {
                err.println(path + ": cannot compose the experiment:");
                e.problems().forEach(p -> err.println("  - " + p));
                status = 1;
            } catch (RunRefusedException e) {
                err.println(path + ": " + e.getMessage());
                status = 1;
            } catch (RunFailedException e) {
                failed(e, err);
                status = 1;
            } catch (IOException e) {
                err.println(file + ": " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    private Path resolve(String file) {
        Path p = Path.of(file);
        if (!p.isAbsolute() && !Files.exists(p)) {
            Path inWorkspace = workbench.workspace().resolve("experiments").resolve(file);
            if (Files.exists(inWorkspace)) {
                return inWorkspace;
            }
        }
        return p;
    }

    private static void printMetrics(RunResult result, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"component", "metric", "value", "kind"});
        for (RunResult.RunMetric m : result.metrics()) {
            rows.add(new String[] {m.role() + " " + m.component(), m.metric().name(), format(m.metric().value()), m.metric().kind()});
        }
        table(rows, out);
    }

    private int list(PrintStream out, PrintStream err) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"role", "name", "provides / needs", "bundle", "description"});
        for (ComponentInfo c : workbench.components()) {
            rows.add(new String[] {c.role(), c.name(), String.join(", ", c.capabilities()),
                    c.bundle() + " " + c.bundleVersion(), c.description()});
        }
        table(rows, out);
        List<String> problems = workbench.pluginProblems();
        if (!problems.isEmpty()) {
            err.println("plug-ins with problems:");
            problems.forEach(p -> err.println("  - " + p));
        }
        return 0;
    }

    private int runs(PrintStream out, PrintStream err) {
        try {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"run", "status", "seed", "metrics"});
            for (RunSummary r : workbench.runs()) {
                StringBuilder metrics = new StringBuilder();
                for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                    if (metrics.length() > 0) {
                        metrics.append("  ");
                    }
                    metrics.append(m.getKey()).append('=').append(format(m.getValue()));
                }
                rows.add(new String[] {r.id(), r.status(), Long.toString(r.seed()),
                        r.error() != null ? r.error() : metrics.toString()});
            }
            table(rows, out);
            return 0;
        } catch (IOException e) {
            err.println("cannot read runs: " + e.getMessage());
            return 1;
        }
    }

    static String format(double v) {
        return Comparison.format(v);
    }

    static void table(List<String[]> rows, PrintStream out) {
        Comparison.table(rows, out);
    }
}
