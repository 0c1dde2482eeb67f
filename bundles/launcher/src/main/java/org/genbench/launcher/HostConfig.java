package org.genbench.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start a workbench host. {@code home} is the genbench checkout or installation (holding
 * {@code features/} and the bundle repository {@code features/target/bundles/}); {@code workspace} holds
 * {@code plugins/} (watched) and {@code runs/}.
 */
public record HostConfig(Path home, Path workspace, List<String> features, Map<String, String> properties) {
    /** Every shipped feature but the console and the dashboard (their verbs add them): see {@link Features}. */
    public static final List<String> DEFAULT_FEATURES = List.of(Features.DEFAULT);

    public HostConfig {
        home = home.toAbsolutePath().normalize();
        workspace = workspace.toAbsolutePath().normalize();
        features = List.copyOf(features == null || features.isEmpty() ? DEFAULT_FEATURES : features);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public static HostConfig of(Path home, Path workspace) {
        return new HostConfig(home, workspace, DEFAULT_FEATURES, Map.of());
    }

    public HostConfig withFeatures(List<String> names) {
        return new HostConfig(home, workspace, names, properties);
    }

    public HostConfig withProperty(String key, String value) {
        Map<String, String> p = new java.util.HashMap<>(properties);
        p.put(key, value);
        return new HostConfig(home, workspace, features, p);
    }

    Path featuresDir() {
        return home.resolve("features");
    }

    Path bundleRepository() {
        return home.resolve("features").resolve("target").resolve("bundles");
    }
}
