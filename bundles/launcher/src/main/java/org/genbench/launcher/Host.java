package org.genbench.launcher;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.genbench.host.HostCommand;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A running workbench: Apache Felix with the platform libraries on this class path, exported to bundles, the
 * bundles of the chosen features installed and started, and FileInstall watching {@code workspace/plugins/}.
 */
public final class Host implements AutoCloseable {
    private final Framework framework;
    private final Path storage;
    private final long startedNanos;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long readyNanos;

    private Host(Framework framework, Path storage, long startedNanos) {
        this.framework = framework;
        this.storage = storage;
        this.startedNanos = startedNanos;
    }

    public static Host start(HostConfig config) throws IOException, BundleException {
        long t0 = System.nanoTime();
        // ND4J discovers its backend through ServiceLoader on the thread context class loader; done from a bundle
        // thread it finds none. Loading it here, with the host's loader, makes every bundle share this backend.
        ND4JClassLoading.setNd4jClassloader(Host.class.getClassLoader());
        Nd4j.getBackend();
        HostThreads.Decision threads = HostThreads.decide(config.threads() == null ? null : config.threads().toString(),
                Runtime.getRuntime().availableProcessors());
        if (threads.note() != null) {
            System.err.println("genbench: " + threads.note());
        }
        HostThreads.apply(threads.threads());

        Features features = new Features(config.featuresDir(), config.bundleRepository());
        List<Path> bundles = features.resolve(config.features());
        Path plugins = Files.createDirectories(config.workspace().resolve("plugins"));
        Files.createDirectories(config.workspace().resolve("runs"));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        FrameworkStorage.reclaim(tmp);
        Path storage = FrameworkStorage.create(tmp);

        List<Path> classPath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
        Map<String, String> packages = SystemPackages.compute(classPath);
        packages.put("org.genbench.host", "0.1.0");

        Map<String, String> props = new HashMap<>();
        // Felix cleans its storage on first init: it gets a folder of its own beside the owner file.
        props.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.header(packages));
        props.put("felix.log.level", "1");
        props.put("felix.fileinstall.dir", plugins.toString());
        props.put("felix.fileinstall.poll", "250");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "1");
        props.put("felix.fileinstall.tmpdir", storage.resolve("fileinstall").toString());
        props.put("gosh.args", "--nointeractive");
        props.put("genbench.home", config.home().toString());
        props.put("genbench.workspace", config.workspace().toString());
        props.put("genbench.libraries", libraries(classPath));
        props.put("genbench.git.commit", gitCommit(config.home()));
        props.put(HostThreads.PROPERTY, Integer.toString(threads.threads()));
        props.putAll(config.properties());

        Framework framework = new FrameworkFactory().newFramework(props);
        try {
            framework.init();
            BundleContext ctx = framework.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            for (Path jar : bundles) {
                installed.add(ctx.installBundle(jar.toUri().toString()));
            }
            framework.start();
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
            awaitPlugins(ctx, plugins, Duration.ofSeconds(15));
        } catch (BundleException | RuntimeException e) {
            try {
                framework.stop();
                framework.waitForStop(10_000);
            } catch (BundleException | InterruptedException | RuntimeException stop) {
                e.addSuppressed(stop);
            } finally {
                FrameworkStorage.deleteTree(storage);
            }
            throw e;
        }
        return new Host(framework, storage, t0);
    }

    /**
     * FileInstall installs and starts the jars already in {@code plugins/} on its own thread, after the framework has
     * started; a verb run right after start must see their components. Waits until each jar's bundle is active, or
     * has stayed unresolved or stopped for a second (it is then reported by {@code list} and by refusals), or the
     * timeout passes.
     */
    static void awaitPlugins(BundleContext ctx, Path plugins, Duration timeout) {
        List<String> jars;
        try (Stream<Path> files = Files.list(plugins)) {
            jars = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        } catch (IOException e) {
            return;
        }
        Map<String, Long> inactiveSince = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean settled = true;
            for (String jar : jars) {
                Bundle b = Stream.of(ctx.getBundles()).filter(x -> x.getLocation() != null && x.getLocation().endsWith("/" + jar))
                        .findFirst().orElse(null);
                if (b == null) {
                    settled = false;
                } else if (b.getState() != Bundle.ACTIVE) {
                    long since = inactiveSince.computeIfAbsent(jar, k -> System.nanoTime());
                    settled &= System.nanoTime() - since > 1_000_000_000L;
                }
            }
            if (settled) {
                return;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public Framework framework() {
        return framework;
    }

    /** The CLI verbs, served by the shell bundle; waits for it to come up. */
    public HostCommand commands(Duration timeout) throws InterruptedException {
        ServiceTracker<HostCommand, HostCommand> tracker = new ServiceTracker<>(context(), HostCommand.class, null);
        tracker.open();
        try {
            HostCommand command = tracker.waitForService(timeout.toMillis());
            if (command == null) {
                throw new IllegalStateException("the workbench did not come up within " + timeout
                        + "; bundles: " + describeBundles());
            }
            if (readyNanos == 0) {
                readyNanos = System.nanoTime();
            }
            return command;
        } finally {
            tracker.close();
        }
    }

    /** Runs one CLI verb inside the framework. */
    public int execute(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        return commands(Duration.ofSeconds(60)).execute(args, out, err);
    }

    /** From {@link #start} to the workbench's commands being available. */
    public Duration bootTime() {
        return readyNanos == 0 ? Duration.ZERO : Duration.ofNanos(readyNanos - startedNanos);
    }

    /** Waits until the framework stops (the console's {@code stop 0}). */
    public void waitForStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    String describeBundles() {
        return Stream.of(context().getBundles())
                .map(b -> b.getSymbolicName() + "[" + state(b.getState()) + "]")
                .collect(Collectors.joining(", "));
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed (unresolved)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    /**
     * Stops the framework (runs under way are recorded as interrupted as the workbench goes) and deletes its storage.
     * Idempotent, so it can be both the end of a try block and a shutdown hook.
     */
    @Override
    public void close() throws InterruptedException, IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException e) {
            throw new IOException("could not stop the framework", e);
        } finally {
            FrameworkStorage.deleteTree(storage);
        }
    }

    /**
     * Closes this host when the JVM is asked to end (Ctrl-C, SIGTERM, System.exit): the runs under way are recorded
     * as interrupted and the framework's storage is removed. SIGKILL leaves both to the next start.
     */
    public Host closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                close();
            } catch (Exception e) {
                System.err.println("genbench: while stopping: " + e.getMessage());
            }
        }, "genbench-shutdown"));
        return this;
    }

    /** The framework storage folder (for tests that check it is removed). */
    public Path storage() {
        return storage;
    }

    /** {@code artifact=version} for each jar on the host class path, for provenance. */
    private static String libraries(List<Path> classPath) {
        return classPath.stream().map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar"))
                .map(n -> {
                    String v = SystemPackages.jarVersion(n, null);
                    String base = n.substring(0, n.length() - 4);
                    int at = base.indexOf("-" + v);
                    return (at > 0 ? base.substring(0, at) : base) + "=" + v;
                })
                .sorted().collect(Collectors.joining(","));
    }

    /** The commit of the checkout at {@code home}, read from {@code .git} without running git. */
    static String gitCommit(Path home) {
        try {
            Path git = home.resolve(".git");
            if (!Files.isDirectory(git)) {
                return "unknown";
            }
            String head = Files.readString(git.resolve("HEAD")).trim();
            if (!head.startsWith("ref: ")) {
                return head;
            }
            String ref = head.substring(5);
            Path refFile = git.resolve(ref);
            if (Files.isRegularFile(refFile)) {
                return Files.readString(refFile).trim();
            }
            Path packed = git.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed)) {
                    if (line.endsWith(" " + ref)) {
                        return line.substring(0, line.indexOf(' '));
                    }
                }
            }
        } catch (IOException e) {
            // provenance is best effort here: an unreadable .git is recorded as unknown
        }
        return "unknown";
    }

}
