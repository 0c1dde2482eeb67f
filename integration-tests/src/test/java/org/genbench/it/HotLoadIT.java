package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model bundle that is in no feature lands in workspace/plugins/ while the workbench runs, is used in an
 * experiment without a restart, and is gone again when its jar is deleted.
 */
class HotLoadIT {
    static final String GAUSSIAN_SPEC = """
            {"name": "hot-gaussian", "seed": 7,
             "dataset": {"type": "toy", "config": {"shape": "two-moons", "train": 2000, "test": 500}},
             "model": {"type": "gaussian"},
             "trainer": {"type": "em", "config": {"maxIterations": 5}},
             "samplers": [{"type": "ancestral", "config": {"samples": 20000}}],
             "evaluators": [{"type": "loglik"}]}""";

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
    void aDroppedModelBundleIsUsableWithoutRestartAndGoneWhenRemoved() throws Exception {
        Path spec = host.spec("hot-gaussian", GAUSSIAN_SPEC);
        TestHost.Result before = host.exec("run", spec.toString());
        assertEquals(1, before.status());
        assertTrue(before.err().contains("unknown model 'gaussian'; installed models: bernoulli-mixture, dbn, gmm, rbm"), before.err());

        Path jar = gaussianJar();
        Path dropped = workspace.resolve("plugins/model.gaussian.jar");
        long t0 = System.nanoTime();
        Files.copy(jar, dropped.resolveSibling("model.gaussian.jar.part"));
        Files.move(dropped.resolveSibling("model.gaussian.jar.part"), dropped, StandardCopyOption.ATOMIC_MOVE);
        awaitList(out -> out.lines().anyMatch(l -> l.startsWith("model") && l.contains(" gaussian ")));
        System.out.printf("hot-load: jar landed -> component usable in %.0f ms%n", (System.nanoTime() - t0) / 1e6);

        TestHost.Result run = host.exec("run", spec.toString());
        assertEquals(0, run.status(), run::toString);
        Path dir = host.runDir("hot-gaussian");
        // The maximum-likelihood Gaussian's expected log density under data with its covariance S is
        // -d/2 log(2 pi e) - 1/2 log det S, whatever the data's shape: E[(x - mu)' S^-1 (x - mu)] = d. S here is
        // estimated, independently of the evaluator, from 20000 of the model's own samples.
        double loglik = TestHost.metric(dir, "loglik", "test_loglik");
        double se = TestHost.metric(dir, "loglik", "test_loglik_se");
        double[][] x = TestHost.rows(dir.resolve("samples/ancestral.arrow"));
        double expected = -Math.log(2 * Math.PI * Math.E) - 0.5 * Math.log(det2(covariance(x)));
        double tolerance = 4 * Math.sqrt(se * se + 0.25 * 4.0 / x.length); // sd of 1/2 log det of a sample covariance
        System.out.printf("hot-loaded Gaussian: test log-likelihood %.4f +- %.4f, expected %.4f%n", loglik, se, expected);
        assertEquals(expected, loglik, tolerance, "held-out log-likelihood of the Gaussian");
        assertTrue(TestHost.read(dir.resolve("provenance.json")).path("bundles").has("org.genbench.model.gaussian"));

        // The example plug-in has no Energy, so HMC must be refused at compose time, naming who has it.
        Path hmc = host.spec("hot-hmc", GAUSSIAN_SPEC.replace("hot-gaussian", "hot-hmc")
                .replace("\"ancestral\", \"config\": {\"samples\": 20000}", "\"hmc\""));
        TestHost.Result refused = host.exec("run", hmc.toString());
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("sampler 'hmc' needs Energy, but model 'gaussian' provides only"), refused.err());
        assertTrue(refused.err().contains("installed models with Energy: gmm, rbm"), refused.err());
        assertTrue(Files.list(workspace.resolve("runs")).noneMatch(d -> d.getFileName().toString().contains("hot-hmc")),
                "a refused spec leaves no run directory");

        java.lang.ref.WeakReference<ClassLoader> loader = new java.lang.ref.WeakReference<>(java.util.Arrays.stream(
                host.host.context().getBundles()).filter(b -> "org.genbench.model.gaussian".equals(b.getSymbolicName()))
                .findFirst().orElseThrow().adapt(org.osgi.framework.wiring.BundleWiring.class).getClassLoader());
        Files.delete(dropped);
        awaitList(out -> out.lines().noneMatch(l -> l.contains(" gaussian ")));
        TestHost.Result after = host.exec("run", spec.toString());
        assertEquals(1, after.status());
        assertTrue(after.err().contains("unknown model 'gaussian'"), after.err());

        // Nothing in the workbench may pin the class loader of a bundle that is gone.
        for (int i = 0; i < 100 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(loader.get() == null, "the uninstalled plug-in's class loader is still reachable");
    }

    @Test
    void aRunUsingABundleThatLeavesFailsWithAMessageAndTheWorkbenchGoesOn() throws Exception {
        Path dropped = workspace.resolve("plugins/model.gaussian.jar");
        Files.copy(gaussianJar(), dropped, StandardCopyOption.REPLACE_EXISTING);
        awaitList(out -> out.lines().anyMatch(l -> l.contains(" gaussian ")));
        Path spec = host.spec("leaving", GAUSSIAN_SPEC.replace("hot-gaussian", "leaving")
                .replace("\"ancestral\", \"config\": {\"samples\": 20000}", "\"mh\", \"config\": {\"draws\": 5000000}"));
        java.util.concurrent.CompletableFuture<TestHost.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return host.exec("run", spec.toString());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Path runJson = null;
        for (int i = 0; i < 600 && runJson == null; i++) {
            Thread.sleep(50);
            try (var dirs = Files.list(workspace.resolve("runs"))) {
                runJson = dirs.filter(d -> d.getFileName().toString().contains("leaving"))
                        .map(d -> d.resolve("metrics.jsonl")).filter(Files::exists).findFirst().orElse(null);
            }
        }
        while (Files.size(runJson) == 0 || !Files.readString(runJson).contains("\"sample\"")) {
            Thread.sleep(20); // wait until the sampler is under way
        }
        Files.delete(dropped);
        TestHost.Result result = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, result.status(), result::toString);
        assertTrue(result.err().contains("model 'gaussian' (bundle org.genbench.model.gaussian) was removed while the run used it"),
                result.err());
        assertEquals("failed", TestHost.read(runJson.resolveSibling("run.json")).path("status").asText());
        TestHost.Result other = host.exec("run", host.spec("after-leaving", SpecErrorsIT.GOOD.replace("\"bad\"", "\"after-leaving\"")).toString());
        assertEquals(0, other.status(), other::toString);
    }

    @Test
    void replacingAPluginJarUpdatesTheBundleInPlace() throws Exception {
        Path dropped = workspace.resolve("plugins/model.gaussian.jar");
        Files.copy(gaussianJar(), dropped, StandardCopyOption.REPLACE_EXISTING);
        awaitList(out -> out.lines().anyMatch(l -> l.contains(" gaussian ") && l.contains("org.genbench.model.gaussian 0.1.0")));
        org.osgi.framework.Bundle before = gaussianBundle();

        // The same plug-in as a new version: its jar rewritten with Bundle-Version 0.1.1, moved over the old one.
        Path next = workspace.resolve("model.gaussian-next.jar");
        withVersion(gaussianJar(), next, "0.1.1");
        Files.move(next, dropped, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        awaitList(out -> out.lines().anyMatch(l -> l.contains(" gaussian ") && l.contains("org.genbench.model.gaussian 0.1.1")));

        org.osgi.framework.Bundle after = gaussianBundle();
        assertEquals(before.getBundleId(), after.getBundleId(), "updated in place, not uninstalled and installed anew");
        assertEquals("0.1.1", after.getVersion().toString());
        assertEquals(1, java.util.Arrays.stream(host.host.context().getBundles())
                .filter(b -> "org.genbench.model.gaussian".equals(b.getSymbolicName())).count(), "one gaussian bundle");
        Path spec = host.spec("updated", GAUSSIAN_SPEC.replace("hot-gaussian", "updated"));
        TestHost.Result run = host.exec("run", spec.toString());
        assertEquals(0, run.status(), run::toString);
        assertEquals("0.1.1", TestHost.read(host.runDir("updated").resolve("provenance.json")).path("bundles")
                .path("org.genbench.model.gaussian").asText(), "the run used the new version");
        Files.delete(dropped);
        awaitList(out -> out.lines().noneMatch(l -> l.contains(" gaussian ")));
    }

    private static org.osgi.framework.Bundle gaussianBundle() {
        return java.util.Arrays.stream(host.host.context().getBundles())
                .filter(b -> "org.genbench.model.gaussian".equals(b.getSymbolicName())).findFirst().orElseThrow();
    }

    /** A copy of {@code jar} whose manifest says {@code Bundle-Version: version}. */
    private static void withVersion(Path jar, Path out, String version) throws java.io.IOException {
        try (java.util.jar.JarFile in = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Manifest manifest = new java.util.jar.Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (java.util.jar.JarOutputStream o = new java.util.jar.JarOutputStream(Files.newOutputStream(out), manifest)) {
                for (java.util.jar.JarEntry e : java.util.Collections.list(in.entries())) {
                    if (e.getName().equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    o.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                    in.getInputStream(e).transferTo(o);
                    o.closeEntry();
                }
            }
        }
    }

    private static double[][] covariance(double[][] x) {
        double[] mean = new double[2];
        for (double[] r : x) {
            mean[0] += r[0] / x.length;
            mean[1] += r[1] / x.length;
        }
        double[][] c = new double[2][2];
        for (double[] r : x) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    c[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]) / (x.length - 1);
                }
            }
        }
        return c;
    }

    private static double det2(double[][] c) {
        return c[0][0] * c[1][1] - c[0][1] * c[1][0];
    }

    private static Path gaussianJar() throws java.io.IOException {
        try (var files = Files.list(TestHost.HOME.resolve("features/target/bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("model.gaussian")).findFirst().orElseThrow();
        }
    }

    private static void awaitList(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.test(host.exec("list").out())) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out; list shows:\n" + host.exec("list").out());
    }
}
