package org.genbench.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.genbench.launcher.Host;

/**
 * One Spark task: runs one point of the sweep in this executor's workbench through the {@code sweep --point} verb,
 * which replaces the directory of an earlier, unfinished attempt and records the outcome in the sweep's directory.
 * Returns the verb's one JSON line (the point's state and final metrics); a point that did not complete throws, so
 * Spark retries the task. Samples and other large results stay in the run store as Arrow files.
 */
final class PointTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    private final Job job;

    PointTask(Job job) {
        this.job = job;
    }

    @Override
    public String call(String key) throws Exception {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        Host host = Embedded.host(job);
        Path spec = specFile(job);
        Embedded.Result r = Embedded.execute(host, List.of("sweep", "--point", key, spec.toString()));
        if (r.status() != 0) {
            String why = (r.out() + r.err()).strip();
            throw new IllegalStateException("sweep " + job.specName() + " point " + key + " (attempt " + (attempt + 1)
                    + ") did not complete: " + why);
        }
        return r.out().strip();
    }

    /** The sweep spec as a file this JVM can hand to the verb, written once per JVM and spec. */
    static synchronized Path specFile(Job job) throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(job.specText().getBytes(StandardCharsets.UTF_8)), 0, 8);
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "genbench-spark-" + ProcessHandle.current().pid(),
                job.specName() + "-" + hash + ".json");
        if (!Files.isRegularFile(file)) {
            if (!Files.isDirectory(file.getParent())) {
                Files.createDirectories(file.getParent());
                file.getParent().toFile().deleteOnExit(); // deleted after the files in it (reverse order)
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, job.specText());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            file.toFile().deleteOnExit();
        }
        return file;
    }
}
