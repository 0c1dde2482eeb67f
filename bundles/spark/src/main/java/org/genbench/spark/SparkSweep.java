package org.genbench.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.genbench.launcher.Host;
import org.genbench.launcher.SparkSweeps;

/**
 * The driver of a sweep on Spark. It plans the sweep through the workbench's {@code sweep --plan} verb, hands every
 * point that has not completed to a Spark task ({@link PointTask}, one point each), collects the tasks' results (one
 * JSON line each: the point's run and final metrics), and ends with the same {@code sweep --report} as a local sweep:
 * the compare table and the plot, read from the run store the executors wrote.
 *
 * <p>Failure semantics: a task whose run does not complete throws, and Spark retries it (up to
 * {@code spark.task.maxFailures} attempts; a local master is given 4 as well, since Spark's local mode would
 * otherwise not retry); each attempt first deletes the directory of the attempt before it, so a point ends with one
 * clean run, never a merge. A sweep resumed after the driver died runs only what is missing, the rule of a local
 * sweep, because the record of what completed is the sweep's directory in the run store.
 */
public final class SparkSweep {
    static final int MAX_ATTEMPTS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,(\\d+))?])?");

    private SparkSweep() {
    }

    /** Entry point from {@link SparkSweeps}; returns the exit status. */
    public static int run(String master, Host host, Path home, Path workspace, List<String> features, Path specFile,
                          PrintStream out, PrintStream err) throws Exception {
        String specText;
        try {
            specText = Files.readString(specFile);
        } catch (IOException e) {
            err.println(specFile + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such sweep spec file" : e.getMessage()));
            return 1;
        }
        String name = JSON.readTree(specText).path("name").asText("");
        Embedded.Result plan = Embedded.execute(host, List.of("sweep", "--plan", specFile.toString()));
        if (plan.status() != 0) {
            err.print(plan.err());
            return plan.status();
        }
        List<String> todo = new ArrayList<>();
        int total = 0;
        for (String line : plan.out().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode p = JSON.readTree(line);
            total++;
            if (!p.path("status").asText().equals("completed")) {
                todo.add(p.path("key").asText());
            }
        }
        Job job = new Job(home.toString(), workspace.toString(), features, name, specText, "");
        String sparkMaster = withRetries(master);
        err.printf(Locale.ROOT, "sweep %s on Spark (%s): %d runs, %d done, %d to run%n", name, sparkMaster, total,
                total - todo.size(), todo.size());
        int status = 0;
        Path lockFile = workspace.resolve("sweeps").resolve(name).resolve(".lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                err.println("sweep '" + name + "' is being run by another process (" + Files.readString(lockFile).trim()
                        + "); wait for it or stop it");
                return 1;
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " (Spark driver)")
                    .getBytes(StandardCharsets.UTF_8)));
            if (!todo.isEmpty()) {
                status = runOnSpark(sparkMaster, host, job, todo, out, err);
            }
        }
        Embedded.Result report = Embedded.execute(host, List.of("sweep", "--report", specFile.toString()));
        out.print(report.out());
        err.print(report.err());
        return status != 0 ? status : report.status();
    }

    private static int runOnSpark(String master, Host host, Job job, List<String> keys, PrintStream out, PrintStream err) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("genbench sweep " + job.specName())
                .set("spark.ui.enabled", "false")
                .set("spark.task.maxFailures", Integer.toString(MAX_ATTEMPTS))
                // a task is one run; let Spark not second-guess long ones
                .set("spark.speculation", "false");
        if (!LOCAL.matcher(master).matches()) {
            // Executors are other JVMs: genbench at the same path on every node, the run store on a shared file system.
            String home = job.home();
            conf.set("spark.executor.extraClassPath", String.join(File.pathSeparator,
                    home + "/bundles/launcher/target/launcher.jar", home + "/bundles/launcher/target/lib/*",
                    home + "/bundles/spark/target/spark.jar", home + "/bundles/spark/target/lib/*"));
            conf.set("spark.executor.extraJavaOptions", String.join(" ", SparkSweeps.JAVA_OPTIONS)
                    + " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dgenbench.home=" + home);
        }
        long t0 = System.nanoTime();
        boolean local = LOCAL.matcher(master).matches();
        if (local) {
            Embedded.adopt(host, job); // local executors are threads of this JVM: they share the driver's workbench
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JavaRDD<String> results = sc.parallelize(keys, keys.size()).map(new PointTask(job));
            List<String> lines = results.collect();
            int completed = 0;
            for (String line : lines) {
                JsonNode r = JSON.readTree(line);
                if (r.path("status").asText().equals("completed")) {
                    completed++;
                }
            }
            err.printf(Locale.ROOT, "Spark: %d of %d tasks completed in %.1f s%n", completed, keys.size(),
                    (System.nanoTime() - t0) / 1e9);
            return completed == keys.size() ? 0 : 1;
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
            err.println("the Spark job failed: " + why);
            err.println("completed runs are kept; run the sweep again to finish what is missing");
            return 1;
        } finally {
            if (local) {
                Embedded.release(host);
            }
        }
    }

    /**
     * Spark's local mode tries a task once unless the master says {@code local[N,F]}; a sweep gets the attempts a
     * cluster's {@code spark.task.maxFailures} gives ({@value #MAX_ATTEMPTS}) unless the master names its own.
     */
    static String withRetries(String master) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) {
            return master.trim();
        }
        String threads = m.group(1) == null ? "1" : m.group(1);
        String failures = m.group(2) == null ? Integer.toString(MAX_ATTEMPTS) : m.group(2);
        return "local[" + threads + "," + failures + "]";
    }
}
