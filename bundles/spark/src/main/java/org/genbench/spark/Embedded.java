package org.genbench.spark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;

/**
 * The one workbench of this JVM that Spark tasks use: in local mode the driver's own (adopted), on a cluster's
 * executor one started by the first task and reused by every later task of the JVM, closed when the JVM ends.
 */
final class Embedded {
    private static Host host;
    private static String identity;
    private static boolean owned;

    private Embedded() {
    }

    /** Makes {@code existing} the workbench for tasks in this JVM (the driver's, in local mode). */
    static synchronized void adopt(Host existing, Job job) {
        if (host != null && owned) {
            throw new IllegalStateException("a workbench was already started in this JVM for " + identity);
        }
        host = existing;
        identity = job.identity();
        owned = false;
    }

    static synchronized void release(Host existing) {
        if (host == existing && !owned) {
            host = null;
            identity = null;
        }
    }

    /** The JVM's workbench for {@code job}, started on first use. */
    static synchronized Host host(Job job) throws Exception {
        if (host != null) {
            if (!identity.equals(job.identity())) {
                throw new IllegalStateException("this executor's workbench serves " + identity + ", not " + job.identity()
                        + "; run one sweep per Spark application");
            }
            return host;
        }
        Host started = Host.start(new HostConfig(Path.of(job.home()), Path.of(job.workspace()), job.features(), null));
        started.commands(Duration.ofSeconds(120));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.close();
            } catch (Exception e) {
                // the JVM is going; the framework storage is a temporary directory
            }
        }, "genbench-executor-shutdown"));
        host = started;
        identity = job.identity();
        owned = true;
        return host;
    }

    /** Runs a verb; returns status, stdout and stderr. */
    static Result execute(Host h, List<String> args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = h.execute(args, o, e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int status, String out, String err) {
    }
}
