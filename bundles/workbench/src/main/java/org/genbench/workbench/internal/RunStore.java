package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.genbench.workbench.RunSummary;

/**
 * {@code workspace/runs/}: one directory per run. Every whole-file write goes to a temporary name and is renamed,
 * so a reader (or a crash) never sees half a file; the metrics log is appended and flushed line by line so a
 * killed run keeps everything it logged.
 */
final class RunStore {
    static final String RUN_JSON = "run.json";
    static final String SPEC_JSON = "spec.json";
    static final String PROVENANCE_JSON = "provenance.json";
    static final String METRICS_LOG = "metrics.jsonl";
    static final String METRICS_JSON = "metrics.json";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path runs;

    RunStore(Path runs) {
        this.runs = runs;
    }

    Path root() {
        return runs;
    }

    /** Creates {@code runs/<time>-<name>[-n]/}, unique even for runs started in the same second. */
    Path create(String name, Instant now) throws IOException {
        Files.createDirectories(runs);
        String base = ID_TIME.format(now) + "-" + name;
        for (int n = 1; ; n++) {
            Path dir = runs.resolve(n == 1 ? base : base + "-" + n);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // taken by a concurrent run: try the next suffix
            }
        }
    }

    static void writeJson(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, Json.MAPPER.writeValueAsBytes(value));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static BufferedWriter openLog(Path dir) throws IOException {
        return Files.newBufferedWriter(dir.resolve(METRICS_LOG), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Past runs, newest first; directories without a readable run.json are skipped. */
    List<RunSummary> list() throws IOException {
        List<RunSummary> out = new ArrayList<>();
        if (!Files.isDirectory(runs)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path runJson = dir.resolve(RUN_JSON);
                if (!Files.isRegularFile(runJson)) {
                    continue;
                }
                JsonNode run = Json.MAPPER.readTree(runJson.toFile());
                Map<String, Double> metrics = new LinkedHashMap<>();
                Path metricsJson = dir.resolve(METRICS_JSON);
                if (Files.isRegularFile(metricsJson)) {
                    for (JsonNode m : Json.MAPPER.readTree(metricsJson.toFile()).path("metrics")) {
                        metrics.put(m.path("component").asText() + "/" + m.path("name").asText(), m.path("value").asDouble());
                    }
                }
                out.add(new RunSummary(run.path("id").asText(dir.getFileName().toString()), run.path("name").asText(),
                        run.path("seed").asLong(), run.path("status").asText(), run.path("started").asText(), dir,
                        metrics, run.hasNonNull("error") ? run.get("error").asText() : null));
            }
        }
        out.sort(Comparator.comparing(RunSummary::started).thenComparing(RunSummary::id).reversed());
        return out;
    }

    static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }
}
