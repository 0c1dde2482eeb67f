package org.genbench.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run directory ({@code workspace/runs/<id>/}) as the notebook sees it: status, the resolved spec, final metrics
 * and the per-step log as tables, samples from the Arrow files, and the pictures the run drew. Everything is read
 * from the files the workbench wrote, so a run from the CLI, another notebook or another machine reads the same.
 */
public final class Run implements Displayable {
    private final Path dir;

    public Run(Path dir) {
        if (!Files.isRegularFile(dir.resolve("run.json"))) {
            throw new IllegalArgumentException(dir + " is not a run directory (no run.json)");
        }
        this.dir = dir;
    }

    public String id() {
        return dir.getFileName().toString();
    }

    public Path directory() {
        return dir;
    }

    private JsonNode runJson() {
        return read("run.json");
    }

    public String name() {
        return runJson().path("name").asText();
    }

    public long seed() {
        return runJson().path("seed").asLong();
    }

    /** {@code running}, {@code completed} or {@code failed}. */
    public String status() {
        return runJson().path("status").asText();
    }

    /** Why a failed run failed; null otherwise. */
    public String error() {
        JsonNode e = runJson().get("error");
        return e == null || e.isNull() ? null : e.asText();
    }

    /** The spec as run, every setting resolved (defaults included): rerunning it gives the same numbers. */
    public Experiment spec() {
        return Experiment.fromJson(read("spec.json").toString());
    }

    /** Final metrics: one row per metric with the role and component that reported it, its kind and value. */
    public Table metrics() {
        Table.Builder b = Table.builder("run", "role", "component", "metric", "value", "kind");
        for (JsonNode m : read("metrics.json").path("metrics")) {
            b.row(id(), m.path("role").asText(), m.path("component").asText(), m.path("name").asText(),
                    value(m), m.path("kind").asText());
        }
        return b.build();
    }

    /** The value of {@code component}'s metric {@code name}; fails naming what the run has. */
    public double metric(String component, String name) {
        for (JsonNode m : read("metrics.json").path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return value(m);
            }
        }
        throw new IllegalArgumentException("run " + id() + " has no metric " + component + "/" + name
                + "; it has " + metrics().column("component") + " x " + metrics().column("metric"));
    }

    /** A metric's value: JSON has no NaN or infinities, so those are written as null with {@code nonFinite} naming them. */
    static double value(JsonNode m) {
        JsonNode v = m.path("value");
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (m.path("nonFinite").asText("NaN")) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    /** The per-step log ({@code metrics.jsonl}) in long form: component, phase, step, key, value. */
    public Table log() {
        Table.Builder b = Table.builder("component", "phase", "step", "key", "value");
        try (Stream<String> lines = Files.lines(dir.resolve("metrics.jsonl"))) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = Experiment.JSON.readTree(line);
                Iterator<Map.Entry<String, JsonNode>> values = n.path("values").fields();
                while (values.hasNext()) {
                    Map.Entry<String, JsonNode> v = values.next();
                    b.row(n.path("component").asText(), n.path("phase").asText(), n.path("step").asLong(), v.getKey(),
                            v.getValue().isNumber() ? v.getValue().asDouble() : Double.NaN);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("metrics.jsonl"), e);
        }
        return b.build();
    }

    /** One logged quantity over steps: {@code {steps, values}}, ready for {@link Plot#lines}. */
    public double[][] curve(String component, String key) {
        Table t = log().where("component", component).where("key", key);
        if (t.size() == 0) {
            throw new IllegalArgumentException("run " + id() + " logged no '" + key + "' for " + component);
        }
        double[] steps = new double[t.size()];
        List<Object> s = t.column("step");
        for (int i = 0; i < steps.length; i++) {
            steps[i] = ((Number) s.get(i)).doubleValue();
        }
        return new double[][] {steps, t.doubles("value")};
    }

    /** The samplers that wrote samples, in file-name order. */
    public List<String> samplers() {
        Path samples = dir.resolve("samples");
        if (!Files.isDirectory(samples)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(samples)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".arrow"))
                    .map(n -> n.substring(0, n.length() - ".arrow".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The samples {@code sampler} drew, read from {@code samples/<sampler>.arrow}. */
    public Samples samples(String sampler) {
        Path file = dir.resolve("samples").resolve(sampler + ".arrow");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("run " + id() + " has no samples from '" + sampler + "'; it has " + samplers());
        }
        return Samples.read(file, "x");
    }

    /** The run's picture of its samples over the data density ({@code samples.png}, 2-D data). */
    public Image samplesPlot() {
        return picture("samples.png");
    }

    /** The run's training curves ({@code training.png}). */
    public Image trainingPlot() {
        return picture("training.png");
    }

    private Image picture(String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("run " + id() + " drew no " + file);
        }
        return Image.read(p);
    }

    private JsonNode read(String file) {
        try {
            return Experiment.JSON.readTree(dir.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("run " + id() + ": cannot read " + file, e);
        }
    }

    /** Final metrics of several runs side by side: one row per run, one column per {@code component/metric}. */
    public static Table compare(List<Run> runs, String... metrics) {
        List<String> cols = new ArrayList<>(List.of("run", "name", "model", "seed"));
        cols.addAll(List.of(metrics));
        List<List<Object>> rows = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run", r.id());
            row.put("name", r.name());
            row.put("model", r.spec().model().type());
            row.put("seed", r.seed());
            for (String m : metrics) {
                int slash = m.indexOf('/');
                if (slash < 0) {
                    throw new IllegalArgumentException("name metrics as component/metric, e.g. loglik/test_loglik; was " + m);
                }
                row.put(m, r.metric(m.substring(0, slash), m.substring(slash + 1)));
            }
            rows.add(new ArrayList<>(row.values()));
        }
        return new Table(cols, rows);
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        String head = "run " + id() + " (" + status() + (error() != null ? ": " + error() : "") + ")";
        boolean done = Files.isRegularFile(dir.resolve("metrics.json"));
        m.put("text/plain", head + "\n" + (done ? metrics().text() : ""));
        m.put("text/html", "<p><b>" + head.replace("&", "&amp;").replace("<", "&lt;") + "</b></p>" + (done ? metrics().html() : ""));
        return m;
    }

    @Override
    public String toString() {
        return "run " + id() + " (" + status() + ")";
    }
}
