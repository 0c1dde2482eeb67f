package org.genbench.shell.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code genbench compare RUN...}: one table of the final metrics of several runs, metrics as rows and runs as
 * columns, plus mean ± standard deviation over each group of two or more runs whose {@code spec.json} is the same
 * but for the seed (repeats of one experiment). Runs of different experiments stand side by side unaveraged:
 * a mean over different settings would not estimate anything.
 */
final class RunComparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run as compare reads it from its directory. */
    record Run(String id, long seed, JsonNode specWithoutSeed, Map<String, Metric> metrics) {
    }

    record Metric(double value, String kind) {
    }

    /** Runs whose specs differ at most in the seed; {@code label} names the group in the header. */
    record Group(String label, List<Integer> members) {
    }

    private final List<Run> runs;
    private final List<Group> groups;

    RunComparison(List<Run> runs) {
        this.runs = List.copyOf(runs);
        this.groups = group(this.runs);
    }

    static RunComparison read(List<Path> directories) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Path dir : directories) {
            runs.add(readRun(dir));
        }
        return new RunComparison(runs);
    }

    static Run readRun(Path dir) throws IOException {
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
            // JSON has no NaN or infinities: metrics.json writes null with "nonFinite" saying which (older runs wrote
            // them as strings); asDouble would read either as 0, so parse.
            JsonNode v = m.path("value");
            double value = v.isNumber() ? v.asDouble() : parse(m.has("nonFinite") ? m.path("nonFinite").asText() : v.asText());
            metrics.putIfAbsent(m.path("component").asText() + "/" + m.path("name").asText(),
                    new Metric(value, m.path("kind").asText("value")));
        }
        return new Run(dir.getFileName().toString(), seed, withoutSeed, metrics);
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
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
                if (!taken[j] && runs.get(j).specWithoutSeed().equals(runs.get(i).specWithoutSeed())) {
                    members.add(j);
                    taken[j] = true;
                }
            }
            if (members.size() > 1) {
                String name = runs.get(i).specWithoutSeed().path("name").asText("runs");
                groups.add(new Group(name + " " + columnsOf(members) + " mean ± sd (n=" + members.size() + ")",
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

    List<Group> groups() {
        return groups;
    }

    /** Header plus one row per metric (in first-seen order); a run without the metric shows "-". */
    List<String[]> rows() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.metrics().keySet()));
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric", "kind"));
        for (int i = 0; i < runs.size(); i++) {
            header.add("#" + (i + 1) + " seed " + runs.get(i).seed());
        }
        groups.forEach(g -> header.add(g.label()));
        rows.add(header.toArray(String[]::new));
        for (String name : names) {
            List<String> row = new ArrayList<>();
            row.add(name);
            row.add(runs.stream().map(r -> r.metrics().get(name)).filter(m -> m != null).findFirst()
                    .map(Metric::kind).orElse(""));
            for (Run r : runs) {
                Metric m = r.metrics().get(name);
                row.add(m == null ? "-" : GenbenchCommands.format(m.value()));
            }
            for (Group g : groups) {
                row.add(meanSd(g, name));
            }
            rows.add(row.toArray(String[]::new));
        }
        return rows;
    }

    /** Mean ± sample standard deviation over the group's runs that report the metric; "-" if fewer than two do. */
    String meanSd(Group g, String name) {
        List<Double> values = new ArrayList<>();
        for (int i : g.members()) {
            Metric m = runs.get(i).metrics().get(name);
            if (m != null) {
                values.add(m.value());
            }
        }
        if (values.size() < 2) {
            return "-";
        }
        double mean = 0;
        for (double v : values) {
            mean += v / values.size();
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (values.size() - 1));
        String s = GenbenchCommands.format(mean) + " ± " + GenbenchCommands.format(sd);
        return values.size() < g.members().size() ? s + String.format(Locale.ROOT, " (n=%d)", values.size()) : s;
    }

    /** The legend under the table: which column is which run. */
    List<String> legend() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            lines.add("#" + (i + 1) + " = " + runs.get(i).id());
        }
        if (groups.isEmpty() && runs.size() > 1) {
            lines.add("no two runs share a spec but for the seed: no means");
        }
        return lines;
    }
}
