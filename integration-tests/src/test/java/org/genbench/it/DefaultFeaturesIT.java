package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.genbench.launcher.Host;
import org.genbench.launcher.HostConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No dead ends: a workbench started without --features (the CLI's and the notebook's default) has every shipped
 * component, so the README's specs compose without a flag.
 */
class DefaultFeaturesIT {
    @TempDir
    Path workspace;

    @Test
    void withoutFlagsEveryShippedComponentIsInstalled() throws Exception {
        try (Host host = Host.start(HostConfig.of(TestHost.HOME, workspace))) {
            host.commands(Duration.ofSeconds(60));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int status = host.execute(List.of("list"), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
            assertEquals(0, status, err::toString);
            String list = out.toString();
            // one component of each shipped feature: classic, data, deep, eval
            for (String c : List.of("gmm", "hmc", "csv", "images", "fashion-mnist", "vae", "gan", "adversarial",
                    "fid", "forensics", "mcmc")) {
                assertTrue(list.lines().anyMatch(l -> l.matches("\\S+\\s+" + c + "\\s.*")), c + " missing from:\n" + list);
            }
            assertTrue(list.lines().noneMatch(l -> l.contains("org.genbench.web")), "the dashboard only with serve");
            for (String spec : List.of("quickstart", "vae-fashion-mnist", "gan-toy", "forensics-vae")) {
                java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
                int s = host.execute(List.of("check", TestHost.HOME.resolve("workspace/experiments/" + spec + ".json").toString()),
                        new java.io.PrintStream(o, true), new java.io.PrintStream(e, true));
                assertEquals(0, s, spec + ": " + e);
            }
        }
    }
}
