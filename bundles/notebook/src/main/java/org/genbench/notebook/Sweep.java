package org.genbench.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep's results as {@code workspace/sweeps/<name>/} holds them: {@link #table()} (one row per metric and
 * setting: mean, sd and the number of seeds), {@link #wide()} (the CLI's table: metrics by settings, mean ± sd),
 * {@link #plot()} and the {@link #runs()}. Reads the files {@code bin/genbench sweep} writes, so a sweep run from the
 * CLI, the dashboard or Spark reads the same here.
 */
public final class Sweep {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final Path workspace;
    private final JsonNode summary;

    Sweep(Path directory, Path workspace) {
        this.directory = directory;
        this.workspace = workspace;
        try {
            this.summary = JSON.readTree(directory.resolve("summary.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("no sweep results in " + directory + " (run the sweep first)", e);
        }
    }

    /** The sweep in {@code workspace/sweeps/<name>/}, read without running anything. */
    public static Sweep open(Path workspace, String name) {
        return new Sweep(workspace.resolve("sweeps").resolve(name), workspace);
    }

    public String name() {
        return summary.path("sweep").asText();
    }

    public Path directory() {
        return directory;
    }

    /** Runs planned and runs completed. */
    public int total() {
        return summary.path("runs").asInt();
    }

    public int completed() {
        return summary.path("completed").asInt();
    }

    /** The settings in the sweep's order, by label. */
    public List<String> settings() {
        List<String> out = new ArrayList<>();
        summary.path("settings").forEach(s -> out.add(s.path("label").asText()));
        return out;
    }

    /** Long form: metric, kind, setting, mean, sd (null for one seed), n. */
    public Table table() {
        Table.Builder t = Table.builder("metric", "kind", "setting", "mean", "sd", "n");
        for (JsonNode m : summary.path("metrics")) {
            for (JsonNode s : m.path("settings")) {
                t.row(m.path("name").asText(), m.path("kind").asText(), s.path("label").asText(), number(s.get("mean")),
                        number(s.get("sd")), s.path("n").asInt());
            }
        }
        return t.build();
    }

    /** Wide form, as {@code bin/genbench sweep} prints it: one row per metric, one column per setting. */
    public Table wide() {
        List<String> cols = new ArrayList<>(List.of("metric", "kind"));
        cols.addAll(settings());
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode m : summary.path("metrics")) {
            List<Object> row = new ArrayList<>(List.of(m.path("name").asText(), m.path("kind").asText()));
            for (JsonNode s : m.path("settings")) {
                Double mean = number(s.get("mean"));
                Double sd = number(s.get("sd"));
                row.add(mean == null ? "-" : sd == null ? fmt(mean) : fmt(mean) + " ± " + fmt(sd));
            }
            rows.add(row);
        }
        return new Table(cols, rows);
    }

    /** The sweep's picture: a panel per metric, seeds as dots, mean ± sd per setting. */
    public Image plot() {
        return Image.read(directory.resolve("sweep.png"));
    }

    /** The completed runs, in the sweep's order. */
    public List<Run> runs() {
        List<Run> out = new ArrayList<>();
        for (JsonNode s : summary.path("settings")) {
            for (Iterator<JsonNode> it = s.path("runs").elements(); it.hasNext(); ) {
                out.add(new Run(workspace.resolve("runs").resolve(it.next().path("run").asText())));
            }
        }
        return out;
    }

    /** The full compare table the sweep wrote (every run, and the means). */
    public String text() {
        try {
            return Files.readString(directory.resolve("compare.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Double number(JsonNode n) {
        return n == null || !n.isNumber() ? null : n.asDouble();
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? "%.4f" : "%.4e", v);
    }

    @Override
    public String toString() {
        return "sweep " + name() + ": " + completed() + " of " + total() + " runs (" + directory + ")";
    }

    /** For {@link Genbench#sweep}: the sweep section a notebook builds from a grid and seeds. */
    static Map<String, Object> section(Map<String, ? extends List<?>> grid, long[] seeds) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        List<Long> list = new ArrayList<>();
        for (long seed : seeds) {
            list.add(seed);
        }
        s.put("seeds", list);
        if (grid != null && !grid.isEmpty()) {
            s.put("grid", new java.util.LinkedHashMap<>(grid));
        }
        return s;
    }
}
