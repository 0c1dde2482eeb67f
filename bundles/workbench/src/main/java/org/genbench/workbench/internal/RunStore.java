package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.genbench.api.spec.Names;
import org.genbench.workbench.RunSummary;

/**
 * {@code workspace/runs/}: one directory per run. Every whole-file write goes to a temporary name and is renamed,
 * so a reader (or a crash, or a full disk) never sees half a file, and a failed write leaves no temporary behind;
 * the metrics log is appended and flushed line by line so a killed run keeps everything it logged, and a reader
 * skips a last line cut short. Every path a run writes is resolved through {@link #inside}, which refuses anything
 * that would leave the run's directory.
 *
 * <p>Run states in {@code run.json}: {@code running} (with the owner's host, pid and process start, so a later start
 * can tell a live run from a dead one), {@code completed}, {@code failed} (an error, a timeout, a divergence, a
 * departed plug-in), {@code interrupted} (cancelled, a signal, or a process that died without saying so).
 */
final class RunStore {
    static final String RUN_JSON = "run.json";
    static final String SPEC_JSON = "spec.json";
    static final String PROVENANCE_JSON = "provenance.json";
    static final String METRICS_LOG = "metrics.jsonl";
    static final String METRICS_JSON = "metrics.json";
    static final String ERROR_LOG = "error.log";
    static final String RUNNING = "running";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String INTERRUPTED = "interrupted";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path runs;

    RunStore(Path runs) {
        this.runs = runs.toAbsolutePath().normalize();
    }

    Path root() {
        return runs;
    }

    /** Creates {@code runs/<time>-<name>[-n]/}, unique even for runs started in the same second. */
    Path create(String name, Instant now) throws IOException {
        Names.check("name", name);
        Files.createDirectories(runs);
        String base = ID_TIME.format(now) + "-" + name;
        for (int n = 1; ; n++) {
            Path dir = inside(runs, n == 1 ? base : base + "-" + n);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // taken by a concurrent run: try the next suffix
            }
        }
    }

    /** The directory of run {@code id}, which must be one safe name directly under {@code runs/}. */
    Optional<Path> find(String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}")) {
            return Optional.empty();
        }
        Path dir = runs.resolve(id).normalize();
        return dir.getParent().equals(runs) && Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * {@code base/segment/segment...}, each segment a safe single name ({@link Names}) or, for file names, a safe
     * name with a suffix. The defence behind the spec's own checks: whatever a component id is, a run never writes
     * outside its directory.
     */
    static Path inside(Path base, String... segments) {
        Path root = base.toAbsolutePath().normalize();
        Path p = root;
        for (String s : segments) {
            if (s == null || s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals(".") || s.equals("..")
                    || s.chars().anyMatch(c -> c < 0x20)) {
                throw new IllegalArgumentException("refusing to write " + Names.quote(s) + ": not a single file name in " + root);
            }
            p = p.resolve(s);
        }
        Path normal = p.normalize();
        if (!normal.startsWith(root) || normal.equals(root)) {
            throw new IllegalArgumentException("refusing to write " + normal + ": outside " + root);
        }
        return normal;
    }

    /** Writes {@code value} as JSON to {@code file} through a temporary file; on failure the temporary is removed. */
    static void writeJson(Path file, Object value) throws IOException {
        writeAtomically(file, Json.MAPPER.writeValueAsBytes(value));
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
    }

    static BufferedWriter openLog(Path dir) throws IOException {
        return Files.newBufferedWriter(dir.resolve(METRICS_LOG), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The log's lines that parse as JSON objects; a line cut short by a kill or a full disk is skipped. */
    static List<JsonNode> readLog(Path dir) throws IOException {
        Path log = dir.resolve(METRICS_LOG);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(log)) {
            return out;
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(line);
                if (node != null && node.isObject()) {
                    out.add(node);
                }
            } catch (IOException e) {
                // half a line: the process died while writing it
            }
        }
        return out;
    }

    /** Rewrites the log keeping only the lines {@code keep} accepts (a resumed run drops what it will redo). */
    static void rewriteLog(Path dir, Predicate<JsonNode> keep) throws IOException {
        List<JsonNode> lines = readLog(dir);
        StringBuilder sb = new StringBuilder();
        var writer = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
        for (JsonNode line : lines) {
            if (keep.test(line)) {
                sb.append(writer.writeValueAsString(line)).append('\n');
            }
        }
        writeAtomically(dir.resolve(METRICS_LOG), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The last step the log records: {@code {phase, component, step}}, or empty. */
    static Optional<ObjectNode> lastStep(Path dir) {
        try {
            List<JsonNode> lines = readLog(dir);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            JsonNode last = lines.get(lines.size() - 1);
            return Optional.of(object().put("phase", last.path("phase").asText()).put("component", last.path("component").asText())
                    .put("step", last.path("step").asLong()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<ObjectNode> readRun(Path dir) {
        try {
            JsonNode n = Json.MAPPER.readTree(dir.resolve(RUN_JSON).toFile());
            return n instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Marks runs whose owning process is gone as {@code interrupted}, with the last step they reached. Only runs
     * owned by this host are judged (a shared run store may hold runs of other machines). Returns the ids marked.
     */
    List<String> reclaimStale() {
        List<String> marked = new ArrayList<>();
        if (!Files.isDirectory(runs)) {
            return marked;
        }
        String host = Owner.host();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs, Files::isDirectory)) {
            for (Path dir : dirs) {
                Optional<ObjectNode> run = readRun(dir);
                if (run.isEmpty() || !RUNNING.equals(run.get().path("status").asText())) {
                    continue;
                }
                JsonNode owner = run.get().path("owner");
                if (!owner.isObject() || !host.equals(owner.path("host").asText()) || Owner.alive(owner)) {
                    continue;
                }
                ObjectNode r = run.get();
                r.put("status", INTERRUPTED);
                r.put("error", "the process (pid " + owner.path("pid").asLong() + ") ended without recording an outcome:"
                        + " killed (kill -9, out of memory) or crashed");
                r.put("detected", Instant.now().toString());
                lastStep(dir).ifPresent(s -> r.set("lastStep", s));
                try {
                    writeJson(dir.resolve(RUN_JSON), r);
                    marked.add(dir.getFileName().toString());
                } catch (IOException e) {
                    // another process may be reclaiming it at the same time; it will be judged again next start
                }
            }
        } catch (IOException e) {
            // runs/ unreadable: nothing to reclaim
        }
        return marked;
    }

    /** Past runs, newest first; a directory whose run.json cannot be read is listed as {@code unreadable}. */
    List<RunSummary> list() throws IOException {
        List<RunSummary> out = new ArrayList<>();
        if (!Files.isDirectory(runs)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs, Files::isDirectory)) {
            for (Path dir : dirs) {
                if (!Files.exists(dir.resolve(RUN_JSON))) {
                    continue;
                }
                Optional<ObjectNode> read = readRun(dir);
                if (read.isEmpty()) {
                    out.add(new RunSummary(dir.getFileName().toString(), "", 0, "unreadable", "", dir, Map.of(),
                            "run.json cannot be read"));
                    continue;
                }
                JsonNode run = read.get();
                Map<String, Double> metrics = new LinkedHashMap<>();
                Path metricsJson = dir.resolve(METRICS_JSON);
                if (Files.isRegularFile(metricsJson)) {
                    try {
                        for (JsonNode m : Json.MAPPER.readTree(metricsJson.toFile()).path("metrics")) {
                            metrics.put(m.path("component").asText() + "/" + m.path("name").asText(), value(m));
                        }
                    } catch (IOException e) {
                        // metrics unreadable: list the run without them
                    }
                }
                String error = run.hasNonNull("error") ? run.get("error").asText() : null;
                JsonNode last = run.path("lastStep");
                if (error != null && last.isObject()) {
                    error += " (last step: " + last.path("phase").asText() + " " + last.path("component").asText()
                            + " step " + last.path("step").asLong() + ")";
                }
                out.add(new RunSummary(run.path("id").asText(dir.getFileName().toString()), run.path("name").asText(),
                        run.path("seed").asLong(), run.path("status").asText(), run.path("started").asText(), dir,
                        metrics, error));
            }
        }
        out.sort(Comparator.comparing(RunSummary::started).thenComparing(RunSummary::id).reversed());
        return out;
    }

    /** A metric's value as written by {@link Metrics}: a number, or null with {@code nonFinite} saying which. */
    static double value(JsonNode metric) {
        JsonNode v = metric.path("value");
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return switch (metric.path("nonFinite").asText("")) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }
}
