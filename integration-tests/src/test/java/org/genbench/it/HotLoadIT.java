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
             "samplers": [{"type": "ancestral", "config": {"samples": 500}}],
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
        assertTrue(before.err().contains("unknown model 'gaussian'; installed models: dbn, gmm, rbm"), before.err());

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
        double loglik = TestHost.metric(dir, "loglik", "test_loglik");
        assertTrue(Double.isFinite(loglik) && loglik < 0, "a single Gaussian on two moons: " + loglik);
        assertTrue(TestHost.read(dir.resolve("provenance.json")).path("bundles").has("org.genbench.model.gaussian"));

        // The example plug-in has no Energy, so HMC must be refused at compose time, naming who has it.
        Path hmc = host.spec("hot-hmc", GAUSSIAN_SPEC.replace("hot-gaussian", "hot-hmc")
                .replace("\"ancestral\", \"config\": {\"samples\": 500}", "\"hmc\""));
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
                .replace("\"ancestral\", \"config\": {\"samples\": 500}", "\"mh\", \"config\": {\"draws\": 5000000}"));
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
