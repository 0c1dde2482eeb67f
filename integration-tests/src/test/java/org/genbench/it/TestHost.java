package org.genbench.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;

/** A real workbench host on the built features, in a scratch workspace, driven through the CLI verbs. */
final class TestHost implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path HOME = Path.of(System.getProperty("genbench.home", "..")).toAbsolutePath().normalize();

    final Path workspace;
    final Host host;

    /** A host with features core and classic (with data): the components most tests' messages list. */
    TestHost(Path workspace) throws Exception {
        this(workspace, List.of("core", "classic"));
    }

    /** A host started with the named features (e.g. core, classic, deep). */
    TestHost(Path workspace, List<String> features) throws Exception {
        this.workspace = workspace;
        this.host = Host.start(HostConfig.of(HOME, workspace).withFeatures(features));
        host.commands(Duration.ofSeconds(60));
    }

    /** Runs a verb; returns exit status, stdout and stderr. */
    Result exec(String... args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = host.execute(List.of(args), o, e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Writes a spec into the workspace and returns its path. */
    Path spec(String name, String json) throws IOException {
        Path dir = Files.createDirectories(workspace.resolve("experiments"));
        return Files.writeString(dir.resolve(name + ".json"), json);
    }

    /** The only run directory whose name contains {@code name}; fails if there are none or several. */
    Path runDir(String name) throws IOException {
        try (var dirs = Files.list(workspace.resolve("runs"))) {
            List<Path> matching = dirs.filter(d -> d.getFileName().toString().contains(name)).toList();
            if (matching.size() != 1) {
                throw new AssertionError("expected one run named " + name + ", found " + matching);
            }
            return matching.get(0);
        }
    }

    static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** The value of metric {@code name} reported by {@code component} in a run's metrics.json. */
    static double metric(Path runDir, String component, String name) throws IOException {
        for (JsonNode m : read(runDir.resolve("metrics.json")).path("metrics")) {
            if (m.path("component").asText().equals(component) && m.path("name").asText().equals(name)) {
                return m.path("value").asDouble();
            }
        }
        throw new AssertionError("no metric " + component + "/" + name + " in " + runDir);
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        host.close();
    }

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
