package org.genbench.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start a workbench host. {@code home} is the genbench checkout or installation (holding
 * {@code features/} and the bundle repository {@code features/target/bundles/}); {@code workspace} holds
 * {@code plugins/} (watched) and {@code runs/}.
 */
public record HostConfig(Path home, Path workspace, List<String> features, Map<String, String> properties,
                         Integer threads) {
    /** Every shipped feature but the console and the dashboard (their verbs add them): see {@link Features}. */
    public static final List<String> DEFAULT_FEATURES = List.of(Features.DEFAULT);

    /**
     * @param threads threads for the numerical libraries; null for the default (see {@link HostThreads}), never more
     *                than the cores
     */
    public HostConfig {
        home = home.toAbsolutePath().normalize();
        workspace = workspace.toAbsolutePath().normalize();
        features = List.copyOf(features == null || features.isEmpty() ? DEFAULT_FEATURES : features);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
    }

    public HostConfig(Path home, Path workspace, List<String> features, Map<String, String> properties) {
        this(home, workspace, features, properties, null);
    }

    public static HostConfig of(Path home, Path workspace) {
        return new HostConfig(home, workspace, DEFAULT_FEATURES, Map.of());
    }

    public HostConfig withFeatures(List<String> names) {
        return new HostConfig(home, workspace, names, properties, threads);
    }

    public HostConfig withProperty(String key, String value) {
        Map<String, String> p = new java.util.HashMap<>(properties);
        p.put(key, value);
        return new HostConfig(home, workspace, features, p, threads);
    }

    public HostConfig withThreads(Integer n) {
        return new HostConfig(home, workspace, features, properties, n);
    }

    /** The longest one phase of a run (one component's call) may take before the run fails; null for no limit. */
    public HostConfig withPhaseTimeout(java.time.Duration timeout) {
        return withProperty("genbench.phase.timeout", timeout == null ? "0" : Double.toString(timeout.toMillis() / 1000.0));
    }

    Path featuresDir() {
        return home.resolve("features");
    }

    Path bundleRepository() {
        return home.resolve("features").resolve("target").resolve("bundles");
    }
}
