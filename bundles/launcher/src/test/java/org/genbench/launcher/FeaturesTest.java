package org.genbench.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesTest {
    @TempDir
    Path home;

    @Test
    void defaultMeansEveryFeatureThatDoesNotOptOut() throws Exception {
        Path dir = Files.createDirectories(home.resolve("features"));
        Files.writeString(dir.resolve("core.json"), "{\"bundles\": []}");
        Files.writeString(dir.resolve("deep.json"), "{\"requires\": [\"core\"], \"bundles\": []}");
        Files.writeString(dir.resolve("web.json"), "{\"default\": false, \"requires\": [\"core\"], \"bundles\": []}");
        Features f = new Features(dir, Files.createDirectories(home.resolve("repo")));
        assertEquals(List.of("core", "deep"), f.defaults());
        assertEquals(List.of("core", "deep", "web"), f.available());
        assertEquals(List.of(), f.resolve(List.of("default", "web")));
    }

    @Test
    void theShippedFeaturesLeaveOutOnlyTheConsoleAndTheDashboard() throws Exception {
        Path shipped = Path.of("../../features").toAbsolutePath().normalize();
        Features f = new Features(shipped, Files.createDirectories(home.resolve("repo")));
        List<String> all = f.available();
        List<String> defaults = f.defaults();
        assertEquals(all.stream().filter(n -> !n.equals("console") && !n.equals("web")).toList(), defaults);
    }
}
