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
 * component-usable, and the cross-bundle tensor hand-off by size.
 */
@Tag("benchmark")
class PlatformBenchmarkIT {
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
            Path jar = Files.list(TestHost.HOME.resolve("features/target/bundles"))
                    .filter(p -> p.getFileName().toString().startsWith("model.gaussian")).findFirst().orElseThrow();
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
            TestHost.Result handoff = host.exec("bench-handoff");
            assertEquals(0, handoff.status(), handoff::toString);
            System.out.printf(Locale.ROOT, "%nboot-to-ready ms: cold %.0f (first in this JVM: loads ND4J's native backend), then %.0f, %.0f%n",
                    boot[0], boot[1], boot[2]);
            System.out.printf(Locale.ROOT, "hot-load ms (jar landed -> component listed, FileInstall poll 250 ms): median %.0f  (runs %s)%n",
                    median(hot), Arrays.toString(hot));
            System.out.println(handoff.out());
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
