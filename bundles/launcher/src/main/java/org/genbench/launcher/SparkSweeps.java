package org.genbench.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/genbench sweep --spark MASTER SPEC}: hands a sweep to Apache Spark. Spark and its dependencies
 * ({@code bundles/spark/target/lib}, from Maven Central at build time) are loaded in a class loader of their own
 * whose parent is the host's, so the host class path, and with it the packages exported to bundles, stays as it is;
 * Spark sees the host (ND4J, Arrow, Jackson, the launcher) through the parent. The driver side runs in
 * {@code org.genbench.spark.SparkSweep}.
 */
public final class SparkSweeps {
    private static ClassLoader loader;
    private static Path loadedFrom;

    private SparkSweeps() {
    }

    /** The JVM options Spark needs on Java 17 (its own launcher adds them; an embedded driver must have them). */
    public static final List<String> JAVA_OPTIONS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

    /**
     * Runs the sweep in {@code spec} on {@code master} ({@code local[N]}, {@code spark://host:7077}, {@code yarn}),
     * with {@code host} as the driver's workbench (and, in local mode, every task's). Returns the exit status.
     */
    public static int sweep(String master, Host host, HostConfig config, Path spec, PrintStream out, PrintStream err)
            throws Exception {
        ClassLoader spark = loader(config.home());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(spark);
        try {
            Class<?> driver = spark.loadClass("org.genbench.spark.SparkSweep");
            Method run = driver.getMethod("run", String.class, Host.class, Path.class, Path.class, List.class,
                    Path.class, PrintStream.class, PrintStream.class);
            return (Integer) run.invoke(null, master, host, config.home(), config.workspace(), config.features(), spec,
                    out, err);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** One loader per JVM: Spark keeps JVM-wide state, and its classes must be the same for every sweep. */
    static synchronized ClassLoader loader(Path home) throws IOException {
        Path dir = home.resolve("bundles/spark/target");
        if (loader != null) {
            if (!dir.equals(loadedFrom)) {
                throw new IllegalStateException("Spark is loaded from " + loadedFrom + " in this JVM; cannot also use " + dir);
            }
            return loader;
        }
        Path jar = dir.resolve("spark.jar");
        Path lib = dir.resolve("lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new IOException("Spark support is not built (no " + jar + "); build genbench (bin/genbench does, or"
                    + " mvn -q install -DskipTests): Spark's jars come from Maven Central with the build");
        }
        List<URL> urls = new ArrayList<>();
        urls.add(url(jar));
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path j : jars) {
                urls.add(url(j));
            }
        }
        loader = new URLClassLoader("genbench-spark", urls.toArray(URL[]::new), SparkSweeps.class.getClassLoader());
        loadedFrom = dir;
        return loader;
    }

    private static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(p.toString(), e);
        }
    }
}
