package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Plug-ins that speak: a bundle that cannot resolve is reported with the import nothing exports; of two versions of
 * one bundle the newer is used and the older said to be shadowed; fifty successive updates of a plug-in leave no
 * class loader behind.
 */
class PluginLifecycleIT {
    static final String GAUSSIAN_SPEC = HotLoadIT.GAUSSIAN_SPEC.replace("hot-gaussian", "lifecycle");

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace);
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void aBundleThatCannotResolveIsReportedWithTheMissingImport() throws Exception {
        Path broken = workspace.resolve("plugins/broken.jar");
        drop(bundle("org.example.broken", "1.0.0", "org.nowhere.missing;version=\"[1.0,2.0)\""), broken);
        String expected = "org.example.broken 1.0.0 (broken.jar) did not resolve: missing import org.nowhere.missing "
                + "(version >= 1.0.0, < 2.0.0)";
        TestHost.Result list = await(r -> r.err().contains(expected));
        assertEquals(0, list.status());
        assertTrue(list.err().startsWith("plug-ins with problems:"), list::toString);

        TestHost.Result check = host.exec("check", host.spec("broken", GAUSSIAN_SPEC.replace("\"gaussian\"", "\"broken\"")).toString());
        assertEquals(1, check.status());
        assertTrue(check.err().contains("model (broken): unknown model 'broken'; installed models: bernoulli-mixture, dbn, gmm, rbm; not started: " + expected),
                check::toString);
        Files.delete(broken);
        await(r -> !r.err().contains("broken"));
    }

    @Test
    void theNewerOfTwoVersionsIsUsedAndTheOlderIsShadowed() throws Exception {
        byte[] jar = Files.readAllBytes(gaussianJar());
        Path older = workspace.resolve("plugins/model.gaussian-1.0.0.jar");
        Path newer = workspace.resolve("plugins/model.gaussian-1.1.0.jar");
        drop(withVersion(jar, "1.0.0"), older);
        drop(withVersion(jar, "1.1.0"), newer);
        // Both bundles' components register one after the other, and a list taken between the two shows only the first.
        TestHost.Result list = await(r -> r.err().contains("model 'gaussian' of org.genbench.model.gaussian 1.0.0 is shadowed by "
                + "org.genbench.model.gaussian 1.1.0") && r.out().contains("org.genbench.model.gaussian 1.1.0"));
        List<String> rows = list.out().lines().filter(l -> l.contains(" gaussian ")).toList();
        assertEquals(1, rows.size(), list::toString);
        assertTrue(rows.get(0).contains("org.genbench.model.gaussian 1.1.0"), rows::toString);

        TestHost.Result run = host.exec("run", host.spec("two-versions", GAUSSIAN_SPEC.replace("lifecycle", "two-versions")).toString());
        assertEquals(0, run.status(), run::toString);
        assertEquals("1.1.0", TestHost.read(host.runDir("two-versions").resolve("provenance.json")).path("bundles")
                .path("org.genbench.model.gaussian").asText());
        Files.delete(older);
        Files.delete(newer);
        await(r -> !r.out().contains(" gaussian "));
    }

    @Test
    void fiftySuccessiveUpdatesLeaveNoClassLoaderBehind() throws Exception {
        byte[] jar = Files.readAllBytes(gaussianJar());
        Path spec = host.spec("updated", GAUSSIAN_SPEC.replace("lifecycle", "updated"));
        Bundle bundle = host.host.context().installBundle("genbench-test:model.gaussian",
                new ByteArrayInputStream(withVersion(jar, "1.0.0")));
        bundle.start();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            loaders.add(new WeakReference<>(bundle.adapt(BundleWiring.class).getClassLoader()));
            String version = "1.0." + i;
            bundle.update(new ByteArrayInputStream(withVersion(jar, version)));
            refresh(bundle);
            await(r -> r.out().contains("org.genbench.model.gaussian " + version));
            TestHost.Result check = host.exec(i % 10 == 0 ? "run" : "check", spec.toString());
            assertEquals(0, check.status(), check::toString);
        }
        loaders.add(new WeakReference<>(bundle.adapt(BundleWiring.class).getClassLoader()));
        bundle.uninstall();
        refresh(bundle);
        await(r -> !r.out().contains(" gaussian "));
        for (int i = 0; i < 100 && loaders.stream().anyMatch(l -> l.get() != null); i++) {
            System.gc();
            Thread.sleep(50);
        }
        long left = loaders.stream().filter(l -> l.get() != null).count();
        assertEquals(0, left, "class loaders of 51 versions still reachable: " + left);
    }

    static void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        host.host.context().getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        assertTrue(done.await(30, TimeUnit.SECONDS), "refreshed");
    }

    static TestHost.Result await(Predicate<TestHost.Result> condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        TestHost.Result r = host.exec("list");
        while (!condition.test(r)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; list shows:\n" + r);
            }
            Thread.sleep(25);
            r = host.exec("list");
        }
        return r;
    }

    static void drop(byte[] jar, Path target) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.write(part, jar);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A bundle with no classes whose manifest imports {@code imports}. */
    static byte[] bundle(String bsn, String version, String imports) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue("Import-Package", imports);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new JarOutputStream(out, m).close();
        return out.toByteArray();
    }

    /** The jar with its Bundle-Version replaced. */
    static byte[] withVersion(byte[] jar, String version) throws IOException {
        Path tmp = Files.createTempFile(workspace, "jar", ".jar");
        Files.write(tmp, jar);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarFile in = new JarFile(tmp.toFile())) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream jos = new JarOutputStream(out, m)) {
                Enumeration<JarEntry> entries = in.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    jos.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(jos);
                    }
                    jos.closeEntry();
                }
            }
        }
        Files.delete(tmp);
        return out.toByteArray();
    }

    static Path gaussianJar() throws IOException {
        try (var files = Files.list(TestHost.HOME.resolve("features/target/bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("model.gaussian")).findFirst().orElseThrow();
        }
    }
}
