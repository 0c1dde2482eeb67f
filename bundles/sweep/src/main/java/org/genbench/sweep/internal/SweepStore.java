package org.genbench.sweep.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.genbench.sweep.SweepPoint;
import org.genbench.sweep.Sweeps;

/**
 * A sweep's record on disk: {@code sweeps/<name>/points/<key>.json} per point, written whole (temporary file and
 * rename), and a lock file that one sweep process holds while it runs.
 */
final class SweepStore {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final Path runs;

    SweepStore(Path dir, Path runs) {
        this.dir = dir;
        this.runs = runs;
    }

    Path dir() {
        return dir;
    }

    Path points() {
        return dir.resolve("points");
    }

    /** The recorded state of {@code p}; a point whose run.json does not say completed is not completed. */
    Sweeps.PointState read(SweepPoint p) {
        Path file = points().resolve(p.key() + ".json");
        if (!Files.isRegularFile(file)) {
            return new Sweeps.PointState(p, Sweeps.Status.MISSING, null, null, 0);
        }
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return new Sweeps.PointState(p, Sweeps.Status.MISSING, null, "unreadable record: " + e.getMessage(), 0);
        }
        String run = n.hasNonNull("run") ? n.get("run").asText() : null;
        int attempts = n.path("attempts").asInt(0);
        String error = n.hasNonNull("error") ? n.get("error").asText() : null;
        Sweeps.Status status;
        try {
            status = Sweeps.Status.valueOf(n.path("status").asText("MISSING").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            status = Sweeps.Status.MISSING;
        }
        if (status == Sweeps.Status.COMPLETED && !runCompleted(run)) {
            // the run directory was deleted or is not what the record says: run the point again
            return new Sweeps.PointState(p, Sweeps.Status.MISSING, null, "its run " + run + " is gone or incomplete", attempts);
        }
        return new Sweeps.PointState(p, status, run, error, attempts);
    }

    boolean runCompleted(String run) {
        Path d = runDir(run);
        if (d == null || !Files.isRegularFile(d.resolve("metrics.json"))) {
            return false;
        }
        try {
            return "completed".equals(JSON.readTree(d.resolve("run.json").toFile()).path("status").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code runs/<run>} if {@code run} is one plain name, else null. */
    Path runDir(String run) {
        if (run == null || !run.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}")) {
            return null;
        }
        Path d = runs.resolve(run).normalize();
        return d.getParent().equals(runs.normalize()) ? d : null;
    }

    void write(SweepPoint p, Sweeps.Status status, String run, String error, int attempts) throws IOException {
        ObjectNode n = JSON.createObjectNode().put("key", p.key()).put("runName", p.runName()).put("label", p.label())
                .put("seed", p.seed()).put("status", status.name().toLowerCase(java.util.Locale.ROOT))
                .put("attempts", attempts).put("updated", Instant.now().toString());
        n.set("values", JSON.valueToTree(p.values()));
        if (run != null) {
            n.put("run", run);
        }
        if (error != null) {
            n.put("error", error);
        }
        Files.createDirectories(points());
        writeAtomically(points().resolve(p.key() + ".json"), JSON.writeValueAsBytes(n));
    }

    /** Deletes an earlier attempt's run directory, so a point's run is replaced and never merged with a new one. */
    void deleteRun(String run) throws IOException {
        Path d = runDir(run);
        if (d == null || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The sweep's lock, held while a process runs it; refused, naming the holder, when another process has it. */
    Lock lock() throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file).trim();
            channel.close();
            throw new IOException("sweep '" + dir.getFileName() + "' is being run by another process ("
                    + (holder.isEmpty() ? "unknown" : holder) + "); wait for it or stop it");
        }
        channel.truncate(0);
        channel.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on "
                + hostName()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return new Lock(channel, lock);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
