package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Platform figures for the benchmark command (bench/run.sh), not the default build: boot-to-ready, jar-landed to
 * component-usable, and the tensor hand-off between two plug-ins through the workbench.
 *
 * <p>The hand-off is a real one: a dataset component in one bundle (bench.handoff.source) produces a float32 tensor
 * of 1 MB to 1 GB in Arrow memory and stamps it; a trainer in another bundle (bench.handoff.sink), given that dataset
 * by the workbench in an ordinary run, views it as an ND4J array and reads the stamp through the view. The time from
 * stamp to read is the whole hand-off as a run does it, workbench steps included; next to it, what one copy of the
 * same bytes costs. Both bundles are in no feature: they are hot-loaded here from workspace/plugins.
 */
@Tag("benchmark")
class PlatformBenchmarkIT {
    static final long[] SIZES = {1L << 20, 16L << 20, 256L << 20, 1L << 30};
    static final int REPEATS = Integer.getInteger("bench.handoff.repeats", 5);

    @TempDir
    Path workspace;

    @Test
    void bootHotLoadAndHandoff() throws Exception {
        double[] boot = new double[3];
        for (int i = 0; i < boot.length; i++) {
            try (Host host = Host.start(HostConfig.of(TestHost.HOME, workspace.resolve("boot" + i)))) {
                host.commands(java.time.Duration.ofSeconds(60));
                boot[i] = host.bootTime().toNanos() / 1e6;
            }
        }
        try (TestHost host = new TestHost(workspace.resolve("hot"))) {
            Path jar = bundle("model.gaussian");
            Path dropped = host.workspace.resolve("plugins/model.gaussian.jar");
            double[] hot = new double[5];
            for (int i = 0; i < hot.length; i++) {
                long t0 = System.nanoTime();
                Files.copy(jar, dropped.resolveSibling("g.part"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(dropped.resolveSibling("g.part"), dropped, StandardCopyOption.ATOMIC_MOVE);
                while (host.exec("list").out().lines().noneMatch(l -> l.contains(" gaussian "))) {
                    Thread.sleep(5);
                }
                hot[i] = (System.nanoTime() - t0) / 1e6;
                Files.delete(dropped);
                while (host.exec("list").out().lines().anyMatch(l -> l.contains(" gaussian "))) {
                    Thread.sleep(5);
                }
            }
            System.out.printf(Locale.ROOT, "%nboot-to-ready ms: cold %.0f (first in this JVM: loads ND4J's native backend), then %.0f, %.0f%n",
                    boot[0], boot[1], boot[2]);
            System.out.printf(Locale.ROOT, "hot-load ms (jar landed -> component listed, FileInstall poll 250 ms): median %.0f  (runs %s)%n",
                    median(hot), Arrays.toString(hot));
            handoff(host);
        }
    }

    private static void handoff(TestHost host) throws Exception {
        for (String b : new String[] {"bench.handoff.source", "bench.handoff.sink"}) {
            Files.copy(bundle(b), host.workspace.resolve("plugins/" + b + ".jar"));
        }
        while (!host.exec("list").out().contains("handoff-sink") || !host.exec("list").out().contains("handoff-source")) {
            Thread.sleep(20);
        }
        host.spec("handoff-warmup", """
                { "name": "handoff-warmup", "seed": 0, "dataset": { "type": "handoff-source" },
                  "model": { "type": "handoff-null" }, "trainer": { "type": "handoff-sink" } }""");
        assertEquals(0, host.exec("run", "handoff-warmup.json").status(), "a first, untimed run loads the classes");
        System.out.printf(Locale.ROOT, "%ntensor hand-off between two plug-ins through the workbench (%d runs per size, medians;"
                + " producer bundle's stamp -> consumer bundle's read through its ND4J view):%n", REPEATS);
        System.out.println("    size_bytes  handoff_us  min_us    one_copy_us");
        for (long bytes : SIZES) {
            double[] handoff = new double[REPEATS];
            double[] copy = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                String name = "handoff-" + (bytes >> 20) + "m-" + r;
                host.spec(name, """
                        { "name": "%s", "seed": %d,
                          "dataset": { "type": "handoff-source", "config": { "bytes": %d } },
                          "model": { "type": "handoff-null" },
                          "trainer": { "type": "handoff-sink" } }
                        """.formatted(name, r, bytes));
                TestHost.Result run = host.exec("run", name + ".json");
                assertEquals(0, run.status(), run::toString);
                Path dir = host.runDir(name);
                handoff[r] = TestHost.metric(dir, "handoff-sink", "handoff_us");
                copy[r] = TestHost.metric(dir, "handoff-sink", "copy_us");
                assertEquals(bytes, TestHost.metric(dir, "handoff-sink", "bytes"));
                TestHost.deleteTree(dir);
            }
            double[] sorted = handoff.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%14d  %10.0f  %6.0f  %13.0f%n", bytes, median(handoff), sorted[0], median(copy));
        }
    }

    private static Path bundle(String artifact) throws java.io.IOException {
        try (var files = Files.list(TestHost.HOME.resolve("features/target/bundles"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(artifact + "-")).findFirst().orElseThrow();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
