package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    @TempDir
    Path workspace;

    @Test
    void theSummaryReadsAsALongAndAWideTable() throws Exception {
        Path dir = Files.createDirectories(workspace.resolve("sweeps/k"));
        Files.writeString(dir.resolve("summary.json"), """
                {"sweep": "k", "runs": 4, "completed": 3,
                 "settings": [{"label": "components-2", "runs": [{"run": "r1", "seed": 1}, {"run": "r2", "seed": 2}]},
                              {"label": "components-4", "runs": [{"run": "r3", "seed": 1}]}],
                 "metrics": [{"name": "loglik/test_loglik", "kind": "exact", "settings": [
                     {"label": "components-2", "values": [-3.0, -3.5], "mean": -3.25, "sd": 0.3535533905932738, "n": 2},
                     {"label": "components-4", "values": [-2.5], "mean": -2.5, "sd": null, "n": 1}]}]}""");
        for (String r : List.of("r1", "r2", "r3")) {
            Files.writeString(Files.createDirectories(workspace.resolve("runs").resolve(r)).resolve("run.json"), "{}");
        }
        Sweep s = Sweep.open(workspace, "k");
        assertEquals("k", s.name());
        assertEquals(3, s.completed());
        assertEquals(4, s.total());
        assertEquals(List.of("components-2", "components-4"), s.settings());
        Table t = s.table();
        assertEquals(List.of("metric", "kind", "setting", "mean", "sd", "n"), t.columns());
        assertEquals(-3.25, (Double) t.get(0, "mean"));
        assertNull(t.get(1, "sd"));
        Table w = s.wide();
        assertEquals(List.of("metric", "kind", "components-2", "components-4"), w.columns());
        assertEquals(List.of("loglik/test_loglik", "exact", "-3.2500 ± 0.3536", "-2.5000"), w.row(0));
        assertEquals(List.of("r1", "r2", "r3"), s.runs().stream().map(r -> r.directory().getFileName().toString()).toList());
    }
}
