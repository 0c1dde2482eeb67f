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
        this(workspace, features, java.util.Map.of());
    }

    /** A host with framework properties of its own (a phase timeout, a memory budget). */
    TestHost(Path workspace, List<String> features, java.util.Map<String, String> properties) throws Exception {
        this.workspace = workspace;
        HostConfig config = HostConfig.of(HOME, workspace).withFeatures(features);
        for (java.util.Map.Entry<String, String> p : properties.entrySet()) {
            config = config.withProperty(p.getKey(), p.getValue());
        }
        this.host = Host.start(config);
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

    /** Column {@code x} of an Arrow IPC file the run store wrote, as rows of doubles (any float type, any shape). */
    static double[][] rows(Path arrowFile) throws IOException {
        try (org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(arrowFile);
             org.apache.arrow.vector.ipc.ArrowFileReader reader = new org.apache.arrow.vector.ipc.ArrowFileReader(ch, allocator)) {
            java.util.List<double[]> out = new java.util.ArrayList<>();
            while (reader.loadNextBatch()) {
                org.apache.arrow.vector.VectorSchemaRoot root = reader.getVectorSchemaRoot();
                org.apache.arrow.vector.FieldVector x = root.getVector("x");
                int width = x instanceof org.apache.arrow.vector.complex.FixedSizeListVector l ? l.getListSize() : 1;
                org.apache.arrow.vector.FloatingPointVector values = (org.apache.arrow.vector.FloatingPointVector)
                        (x instanceof org.apache.arrow.vector.complex.FixedSizeListVector l ? l.getDataVector() : x);
                for (int i = 0; i < root.getRowCount(); i++) {
                    double[] row = new double[width];
                    for (int j = 0; j < width; j++) {
                        row[j] = values.getValueAsDouble(i * width + j);
                    }
                    out.add(row);
                }
            }
            return out.toArray(new double[0][]);
        }
    }

    /** A float64 C-order .npy file of {@code rows}, for the reference scripts in datasets/reference. */
    static void writeNpy(Path file, double[][] rows) throws IOException {
        int n = rows.length;
        int d = n == 0 ? 0 : rows[0].length;
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) header.length());
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(8 * n * d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double[] r : rows) {
            for (double v : r) {
                body.putDouble(v);
            }
        }
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            out.write(head.array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            out.write(body.array());
        }
    }

    /**
     * Runs a script of datasets/reference with Debian's python3 and returns what it printed on its last line (a JSON
     * object); fails with its output if it fails.
     */
    static JsonNode reference(String script, String... args) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(org.genbench.testing.Required.PYTHON,
                HOME.resolve("datasets/reference").resolve(script).toString()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new AssertionError(script + " failed:\n" + out);
        }
        return JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
    }

    /**
     * bin/genbench's java command as a separate process that can be killed, with its own temporary directory (so
     * the framework storage it leaves can be checked) and its output in {@code log}.
     * @param shell a bash prefix such as {@code ulimit -f 2048;}, or null
     */
    static Process cli(Path workspace, Path tmp, Path log, List<String> jvmOptions, String shell, String... args) throws IOException {
        Path lib = HOME.resolve("bundles/launcher/target");
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(javaCommand, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Djava.io.tmpdir=" + tmp, "-Dgenbench.home=" + HOME));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", lib.resolve("launcher.jar") + java.io.File.pathSeparator + lib.resolve("lib") + "/*",
                "org.genbench.launcher.Main", "--workspace", workspace.toString()));
        cmd.addAll(List.of(args));
        if (shell != null) {
            String quoted = String.join(" ", cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
            cmd = List.of("bash", "-c", shell + " exec " + quoted);
        }
        Files.createDirectories(tmp);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The framework storage folders ({@code genbench-felix-*}) in {@code tmp}. */
    static List<Path> storageFolders(Path tmp) throws IOException {
        try (var dirs = Files.list(tmp)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("genbench-felix-")).toList();
        }
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
