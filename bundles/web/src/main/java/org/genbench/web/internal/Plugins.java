package org.genbench.web.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Hot-loading a plug-in by upload: the jar must be an OSGi bundle; it lands in {@code workspace/plugins/} as
 * {@code <symbolic-name>.jar} (replacing any jar there with the same symbolic name, so an upload of a newer build
 * updates the bundle), written beside the folder and moved in whole, and FileInstall installs and starts it.
 */
final class Plugins {
    /** Largest jar accepted. */
    static final int MAX_BYTES = 64 << 20;

    /** What an uploaded jar says about itself. */
    record Identity(String symbolicName, String version) {
    }

    private Plugins() {
    }

    /** The bundle identity in {@code jar}'s manifest; the message says what is wrong when it is not a bundle. */
    static Identity identify(byte[] jar) {
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            manifest = in.getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException("not a jar file: " + e.getMessage());
        }
        if (manifest == null) {
            throw new IllegalArgumentException("not a jar file with a manifest (META-INF/MANIFEST.MF)");
        }
        String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new IllegalArgumentException("not an OSGi bundle: the manifest has no Bundle-SymbolicName "
                    + "(build it with bnd, e.g. from bin/genbench new-plugin)");
        }
        bsn = bsn.split(";")[0].trim();
        if (!bsn.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,200}")) {
            throw new IllegalArgumentException("Bundle-SymbolicName '" + bsn + "' is not a plain name (letters, digits, . _ -)");
        }
        String version = manifest.getMainAttributes().getValue("Bundle-Version");
        return new Identity(bsn, version == null ? "0.0.0" : version.trim());
    }

    /** Writes the jar into {@code plugins} as {@code <bsn>.jar}, removing other jars of the same bundle there. */
    static Path deploy(Path plugins, byte[] jar, Identity id) throws IOException {
        Files.createDirectories(plugins);
        Path target = plugins.resolve(id.symbolicName() + ".jar");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(plugins, "*.jar")) {
            for (Path other : jars) {
                if (!other.equals(target) && id.symbolicName().equals(symbolicName(other))) {
                    Files.delete(other);
                }
            }
        }
        // Written outside the watched folder, then moved in whole: FileInstall never sees half a jar.
        Path staging = Files.createDirectories(plugins.resolveSibling(".uploads"));
        Path tmp = Files.createTempFile(staging, id.symbolicName(), ".jar");
        try {
            Files.write(tmp, jar);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static String symbolicName(Path jar) {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = in.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits until a bundle {@code bsn} at {@code version} is active, or the time is up; returns it as it is then. */
    static Optional<Bundle> await(BundleContext context, Identity id, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        Optional<Bundle> found = Optional.empty();
        while (System.currentTimeMillis() < deadline) {
            found = find(context, id);
            if (found.isPresent() && found.get().getState() == Bundle.ACTIVE) {
                return found;
            }
            Thread.sleep(50);
        }
        return found;
    }

    static Optional<Bundle> find(BundleContext context, Identity id) {
        for (Bundle b : context.getBundles()) {
            if (id.symbolicName().equals(b.getSymbolicName()) && b.getVersion().toString().equals(
                    org.osgi.framework.Version.parseVersion(id.version()).toString())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Why a bundle that did not become active is not: the framework's own words from an attempt to start it. */
    static String whyNotActive(Bundle b) {
        if (b.getState() == Bundle.ACTIVE) {
            return null;
        }
        try {
            b.start(Bundle.START_TRANSIENT);
            return b.getState() == Bundle.ACTIVE ? null : "state " + state(b.getState());
        } catch (BundleException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed (unresolved)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }
}
