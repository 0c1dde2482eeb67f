package org.genbench.workbench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The final metrics of several runs, read from their directories: metrics as rows and runs as columns, plus
 * mean ± standard deviation over each group of two or more runs whose {@code spec.json} is the same but for the
 * seed (repeats of one experiment). Runs of different experiments stand side by side unaveraged: a mean over
 * different settings would not estimate anything. {@code genbench compare}, sweeps and the dashboard all use it.
 */
public final class Comparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run as compare reads it from its directory; {@code spec} is its spec.json without the seed. */
    public record Run(String id, String name, long seed, Map<String, Metric> metrics, JsonNode spec) {
        public Run {
            metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    /**
     * A final metric's value, kind ({@code exact}, {@code bound}, {@code mcmc}, ...) and the role of the component
     * that reported it ({@code evaluator}, {@code trainer}, {@code sampler}; empty when the run did not say).
     */
    public record Metric(double value, String kind, String role) {
    }

    /** Runs whose specs differ at most in the seed; {@code label} names the group in the table's header. */
    public record Group(String name, String label, List<Integer> members) {
        public Group {
            members = List.copyOf(members);
        }
    }

    /** Mean and sample standard deviation of one metric over the {@code n} runs of a group that report it. */
    public record Stats(double mean, double sd, int n) {
    }

    private final List<Run> runs;
    private final List<Group> groups;

    public Comparison(List<Run> runs) {
        this.runs = List.copyOf(runs);
        this.groups = group(this.runs);
    }

    /** Reads each directory's spec.json and metrics.json; a run without final metrics is refused by path. */
    public static Comparison read(List<Path> directories) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Path dir : directories) {
            runs.add(readRun(dir));
        }
        return new Comparison(runs);
    }

    public static Run readRun(Path dir) throws IOException {
        Path specFile = dir.resolve("spec.json");
        Path metricsFile = dir.resolve("metrics.json");
        if (!Files.isRegularFile(specFile)) {
            throw new NoSuchFileException(specFile.toString(), null, "not a run directory (no spec.json)");
        }
        if (!Files.isRegularFile(metricsFile)) {
            throw new NoSuchFileException(metricsFile.toString(), null, "the run has no final metrics (not completed?)");
        }
        JsonNode spec = JSON.readTree(specFile.toFile());
        long seed = spec.path("seed").asLong();
        ObjectNode withoutSeed = spec.deepCopy();
        withoutSeed.remove("seed");
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (JsonNode m : JSON.readTree(metricsFile.toFile()).path("metrics")) {
            metrics.putIfAbsent(m.path("component").asText() + "/" + m.path("name").asText(),
                    new Metric(value(m), m.path("kind").asText("value"), m.path("role").asText("")));
        }
        return new Run(dir.getFileName().toString(), spec.path("name").asText(""), seed, metrics, withoutSeed);
    }

    /**
     * A metric's value: a number; or a non-finite value, written either as a string ({@code "NaN"}) or as null with
     * {@code nonFinite} saying which.
     */
    static double value(JsonNode m) {
        JsonNode v = m.path("value");
        if (v.isNumber()) {
            return v.asDouble();
        }
        String text = v.isTextual() ? v.asText() : m.path("nonFinite").asText("NaN");
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static List<Group> group(List<Run> runs) {
        List<Group> groups = new ArrayList<>();
        boolean[] taken = new boolean[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            if (taken[i]) {
                continue;
            }
            List<Integer> members = new ArrayList<>(List.of(i));
            for (int j = i + 1; j < runs.size(); j++) {
                if (!taken[j] && runs.get(j).spec().equals(runs.get(i).spec())) {
                    members.add(j);
                    taken[j] = true;
                }
            }
            if (members.size() > 1) {
                String name = runs.get(i).spec().path("name").asText("runs");
                groups.add(new Group(name, name + " " + columnsOf(members) + " mean ± sd (n=" + members.size() + ")",
                        members));
            }
        }
        return groups;
    }

    private static String columnsOf(List<Integer> members) {
        StringBuilder sb = new StringBuilder("[");
        for (int m : members) {
            sb.append(sb.length() > 1 ? "," : "").append('#').append(m + 1);
        }
        return sb.append(']').toString();
    }

    public List<Run> runs() {
        return runs;
    }

    public List<Group> groups() {
        return groups;
    }

    /** Every metric name ({@code component/metric}) any run reports, in first-seen order. */
    public List<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.metrics().keySet()));
        return List.copyOf(names);
    }

    /** The kind of metric {@code name} as the first run that reports it says. */
    public String kind(String name) {
        return runs.stream().map(r -> r.metrics().get(name)).filter(m -> m != null).findFirst()
                .map(Metric::kind).orElse("");
    }

    /** Header plus one row per metric (in first-seen order); a run without the metric shows "-". */
    public List<String[]> rows() {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric", "kind"));
        for (int i = 0; i < runs.size(); i++) {
            header.add("#" + (i + 1) + " seed " + runs.get(i).seed());
        }
        groups.forEach(g -> header.add(g.label()));
        rows.add(header.toArray(String[]::new));
        for (String name : metricNames()) {
            List<String> row = new ArrayList<>();
            row.add(name);
            row.add(kind(name));
            for (Run r : runs) {
                Metric m = r.metrics().get(name);
                row.add(m == null ? "-" : format(m.value()));
            }
            for (Group g : groups) {
                row.add(meanSd(g, name));
            }
            rows.add(row.toArray(String[]::new));
        }
        return rows;
    }

    /** Mean and sample standard deviation over the group's runs that report the metric; empty if fewer than two do. */
    public Optional<Stats> stats(Group g, String name) {
        List<Double> values = new ArrayList<>();
        for (int i : g.members()) {
            Metric m = runs.get(i).metrics().get(name);
            if (m != null) {
                values.add(m.value());
            }
        }
        if (values.size() < 2) {
            return Optional.empty();
        }
        double mean = 0;
        for (double v : values) {
            mean += v / values.size();
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return Optional.of(new Stats(mean, Math.sqrt(ss / (values.size() - 1)), values.size()));
    }

    /** {@link #stats} as the table shows it: {@code mean ± sd}, the count added when some runs lack the metric. */
    public String meanSd(Group g, String name) {
        return stats(g, name).map(s -> {
            String text = format(s.mean()) + " ± " + format(s.sd());
            return s.n() < g.members().size() ? text + String.format(Locale.ROOT, " (n=%d)", s.n()) : text;
        }).orElse("-");
    }

    /** The legend under the table: which column is which run. */
    public List<String> legend() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            lines.add("#" + (i + 1) + " = " + runs.get(i).id());
        }
        if (groups.isEmpty() && runs.size() > 1) {
            lines.add("no two runs share a spec but for the seed: no means");
        }
        return lines;
    }

    /** The table and its legend, as {@code genbench compare} prints them. */
    public void print(PrintStream out) {
        table(rows(), out);
        out.println();
        legend().forEach(out::println);
    }

    /** A value as every genbench table shows it: integers plainly, else four decimals or four significant digits. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? "%.4f" : "%.4e", v);
    }

    /** Rows (the first a header) in aligned columns with a rule under the header. */
    public static void table(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int row = 0; row < rows.size(); row++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                String cell = rows.get(row)[i];
                sb.append(i == cols - 1 ? cell : String.format("%-" + width[i] + "s  ", cell));
            }
            out.println(sb.toString().stripTrailing());
            if (row == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < cols; i++) {
                    rule.append("-".repeat(width[i])).append(i == cols - 1 ? "" : "  ");
                }
                out.println(rule);
            }
        }
    }
}
