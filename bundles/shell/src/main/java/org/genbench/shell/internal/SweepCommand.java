package org.genbench.shell.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.genbench.sweep.SweepPoint;
import org.genbench.sweep.SweepSpec;
import org.genbench.sweep.Sweeps;
import org.genbench.workbench.compare.Comparison;

/**
 * {@code genbench sweep [--parallel N] SPEC}: runs the points of a sweep that have not completed, then prints the
 * compare table (mean ± sd over seeds per setting) and where the full table and the plot are. The options that
 * take no part in a user's day are for the Spark driver and executors, which reach the framework only through the
 * verbs: {@code --plan} (the points as JSON lines), {@code --point KEY} (run one point, print its state and final
 * metrics as one JSON line), {@code --report}. {@code --status} lists the points and where each stands.
 */
final class SweepCommand {
    static final String USAGE = "usage: sweep [--parallel N] SPEC | sweep --status SPEC | sweep --spark MASTER SPEC"
            + " (bin/genbench only)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepCommand() {
    }

    static int execute(Sweeps sweeps, Path workspace, List<String> args, PrintStream out, PrintStream err) {
        if (sweeps == null) {
            err.println("sweeps are not installed: bundle org.genbench.sweep (feature core) is not active");
            return 1;
        }
        List<String> rest = new ArrayList<>(args);
        Integer parallel = null;
        String mode = "run";
        String key = null;
        while (!rest.isEmpty() && rest.get(0).startsWith("--")) {
            String opt = rest.remove(0);
            switch (opt) {
                case "--parallel" -> {
                    if (rest.isEmpty()) {
                        err.println("--parallel needs a number; " + USAGE);
                        return 2;
                    }
                    String v = rest.remove(0);
                    try {
                        parallel = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        parallel = -1;
                    }
                    if (parallel < 1 || parallel > SweepSpec.MAX_PARALLEL) {
                        err.println("--parallel must be a whole number from 1 to " + SweepSpec.MAX_PARALLEL + ", was '" + v + "'");
                        return 2;
                    }
                }
                case "--status" -> mode = "status";
                case "--plan" -> mode = "plan";
                case "--report" -> mode = "report";
                case "--point" -> {
                    if (rest.isEmpty()) {
                        err.println("--point needs a point's key (see sweep --plan)");
                        return 2;
                    }
                    mode = "point";
                    key = rest.remove(0);
                }
                case "--spark" -> {
                    err.println("sweep --spark runs from bin/genbench (the Spark driver lives outside the framework)");
                    return 2;
                }
                default -> {
                    err.println("unknown option " + opt + "; " + USAGE);
                    return 2;
                }
            }
        }
        if (rest.size() != 1) {
            err.println(rest.isEmpty() ? "name the sweep spec; " + USAGE : "one sweep spec at a time; " + USAGE);
            return 2;
        }
        Path file = resolve(workspace, rest.get(0));
        SweepSpec spec;
        try {
            spec = SweepSpec.parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            err.println(rest.get(0) + ": no such sweep spec file");
            return 1;
        } catch (IOException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        }
        try {
            return switch (mode) {
                case "status" -> status(sweeps, spec, out);
                case "plan" -> plan(sweeps, spec, out);
                case "point" -> point(sweeps, workspace, spec, key, out, err);
                case "report" -> report(sweeps.report(spec), out);
                default -> run(sweeps, spec, parallel == null ? spec.parallel() : parallel, out, err);
            };
        } catch (IOException e) {
            err.println("sweep " + spec.name() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("sweep " + spec.name() + " interrupted; run it again to finish what is missing");
            return 1;
        }
    }

    private static int run(Sweeps sweeps, SweepSpec spec, int parallel, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Sweeps.Outcome o = sweeps.run(spec, parallel, line -> {
            synchronized (err) {
                err.println(line);
            }
        });
        int status = report(o.report(), out);
        if (o.failed() > 0) {
            err.println(o.failed() + " of " + o.ran() + " runs failed (see sweep --status); run the sweep again to retry them");
            return 1;
        }
        return status;
    }

    private static int report(Sweeps.Report r, PrintStream out) {
        out.println("sweep: " + r.completed() + " of " + r.total() + " runs completed; mean ± sd over seeds per setting");
        if (r.summary().size() > 1) {
            Comparison.table(r.summary(), out);
        }
        out.println();
        out.println("table (every run): " + r.table());
        out.println("plot: " + r.plot());
        return 0;
    }

    private static int status(Sweeps sweeps, SweepSpec spec, PrintStream out) throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"setting", "seed", "status", "run", "attempts", "error"});
        for (Sweeps.PointState s : sweeps.plan(spec)) {
            rows.add(new String[] {s.point().label().isEmpty() ? s.point().runName() : s.point().label(),
                    Long.toString(s.point().seed()), s.status().name().toLowerCase(java.util.Locale.ROOT),
                    s.runId() == null ? "-" : s.runId(), Integer.toString(s.attempts()), s.error() == null ? "" : s.error()});
        }
        Comparison.table(rows, out);
        return 0;
    }

    private static int plan(Sweeps sweeps, SweepSpec spec, PrintStream out) throws IOException {
        for (Sweeps.PointState s : sweeps.plan(spec)) {
            ObjectNode n = JSON.createObjectNode().put("key", s.point().key()).put("setting", s.point().setting())
                    .put("label", s.point().label()).put("runName", s.point().runName()).put("seed", s.point().seed())
                    .put("status", s.status().name().toLowerCase(java.util.Locale.ROOT));
            if (s.runId() != null) {
                n.put("run", s.runId());
            }
            out.println(JSON.writeValueAsString(n));
        }
        return 0;
    }

    /** Runs one point; one JSON line: key, status, run, error, and the run's final metrics as written. */
    private static int point(Sweeps sweeps, Path workspace, SweepSpec spec, String key, PrintStream out, PrintStream err)
            throws IOException {
        Optional<SweepPoint> point = spec.points().stream().filter(p -> p.key().equals(key)).findFirst();
        if (point.isEmpty()) {
            err.println("sweep " + spec.name() + " has no point " + key);
            return 2;
        }
        Sweeps.PointState s = sweeps.runPoint(spec, point.get(), null);
        ObjectNode n = JSON.createObjectNode().put("key", key)
                .put("status", s.status().name().toLowerCase(java.util.Locale.ROOT)).put("attempts", s.attempts());
        if (s.runId() != null) {
            n.put("run", s.runId());
            Path metrics = workspace.resolve("runs").resolve(s.runId()).resolve("metrics.json");
            if (s.status() == Sweeps.Status.COMPLETED && Files.isRegularFile(metrics)) {
                n.set("metrics", JSON.readTree(metrics.toFile()).path("metrics"));
            }
        }
        if (s.error() != null) {
            n.put("error", s.error());
        }
        out.println(JSON.writeValueAsString(n));
        return s.status() == Sweeps.Status.COMPLETED ? 0 : 1;
    }

    static Path resolve(Path workspace, String file) {
        Path p = Path.of(file);
        if (!p.isAbsolute() && !Files.exists(p)) {
            Path inWorkspace = workspace.resolve("experiments").resolve(file);
            if (Files.exists(inWorkspace)) {
                return inWorkspace;
            }
        }
        return p;
    }
}
