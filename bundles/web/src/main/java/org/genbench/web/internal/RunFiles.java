package org.genbench.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reading one run's directory for the page: the files it may serve (never outside the run's directory, never
 * through a link), its pictures, and its logged curves.
 */
final class RunFiles {
    /** Longest metrics log read for curves; beyond it, every k-th line is kept so a long run still draws. */
    static final int MAX_POINTS_PER_SERIES = 2000;

    private RunFiles() {
    }

    /** The run directory {@code runs/<id>} if {@code id} is one plain name and it exists. */
    static Optional<Path> runDir(Path runs, String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}")) {
            return Optional.empty();
        }
        Path dir = runs.resolve(id).normalize();
        return dir.getParent().equals(runs.normalize()) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(dir) : Optional.empty();
    }

    /**
     * {@code dir/relative} if {@code relative} is a path of plain names (no {@code ..}, no absolute path, no
     * hidden names) to a regular file that is no link.
     */
    static Optional<Path> file(Path dir, String relative) {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")) {
            return Optional.empty();
        }
        Path p = dir;
        for (String segment : relative.split("/")) {
            if (!segment.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,200}") || segment.contains("..")) {
                return Optional.empty();
            }
            p = p.resolve(segment);
            if (Files.isSymbolicLink(p)) {
                return Optional.empty();
            }
        }
        Path normal = p.normalize();
        return normal.startsWith(dir) && Files.isRegularFile(normal, LinkOption.NOFOLLOW_LINKS)
                ? Optional.of(normal) : Optional.empty();
    }

    /** Every PNG in the run, relative to its directory: top-level pictures first, then {@code outputs/}. */
    static List<String> pictures(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, 4)) {
            walk.filter(p -> p.getFileName().toString().endsWith(".png") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.startsWith("checkpoint"))
                    .sorted((a, b) -> {
                        int da = a.split("/").length;
                        int db = b.split("/").length;
                        return da != db ? Integer.compare(da, db) : a.compareTo(b);
                    })
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * The metrics log as series: {@code phase -> "component/metric" -> [[step, value], ...]}, non-finite values
     * and cut-short lines skipped, thinned to {@link #MAX_POINTS_PER_SERIES} points per series.
     */
    static ObjectNode curves(Path dir, ObjectMapper json) throws IOException {
        Path log = dir.resolve("metrics.jsonl");
        Map<String, Map<String, List<double[]>>> series = new LinkedHashMap<>();
        if (Files.isRegularFile(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    continue; // the last line of a run that is writing it, or was killed writing it
                }
                String phase = n.path("phase").asText("log");
                String component = n.path("component").asText("");
                double step = n.path("step").asDouble();
                n.path("values").fields().forEachRemaining(v -> {
                    if (v.getValue().isNumber() && Double.isFinite(v.getValue().asDouble())) {
                        series.computeIfAbsent(phase, k -> new LinkedHashMap<>())
                                .computeIfAbsent(component + "/" + v.getKey(), k -> new ArrayList<>())
                                .add(new double[] {step, v.getValue().asDouble()});
                    }
                });
            }
        }
        ObjectNode out = json.createObjectNode();
        series.forEach((phase, byName) -> {
            ObjectNode p = out.putObject(phase);
            byName.forEach((name, points) -> {
                ArrayNode a = p.putArray(name);
                int stride = Math.max(1, (points.size() + MAX_POINTS_PER_SERIES - 1) / MAX_POINTS_PER_SERIES);
                for (int i = 0; i < points.size(); i += stride) {
                    a.addArray().add(points.get(i)[0]).add(points.get(i)[1]);
                }
                if ((points.size() - 1) % stride != 0) {
                    double[] last = points.get(points.size() - 1);
                    a.addArray().add(last[0]).add(last[1]);
                }
            });
        });
        return out;
    }

    static String contentType(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        if (n.endsWith(".jsonl") || n.endsWith(".txt") || n.endsWith(".log") || n.endsWith(".csv")) {
            return "text/plain; charset=utf-8";
        }
        if (n.endsWith(".arrow")) {
            return "application/vnd.apache.arrow.file";
        }
        return "application/octet-stream";
    }
}
