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
        assertTrue(before.err().contains("unknown model 'gaussian'; installed models: gmm"), before.err());

        Path jar = Files.list(TestHost.HOME.resolve("features/target/bundles"))
                .filter(p -> p.getFileName().toString().startsWith("model.gaussian")).findFirst().orElseThrow();
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
        assertTrue(refused.err().contains("installed models with Energy: gmm"), refused.err());
        assertTrue(Files.list(workspace.resolve("runs")).noneMatch(d -> d.getFileName().toString().contains("hot-hmc")),
                "a refused spec leaves no run directory");

        Files.delete(dropped);
        awaitList(out -> out.lines().noneMatch(l -> l.contains(" gaussian ")));
        TestHost.Result after = host.exec("run", spec.toString());
        assertEquals(1, after.status());
        assertTrue(after.err().contains("unknown model 'gaussian'"), after.err());
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
