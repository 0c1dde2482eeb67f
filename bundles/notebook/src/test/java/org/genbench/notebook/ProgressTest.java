package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {
    @TempDir
    Path runs;

    @Test
    void phaseLinesBecomeTimedLinesWithWhatThePhaseLoggedAndOtherLinesAreErrors() throws Exception {
        Path dir = Files.createDirectories(runs.resolve("r1"));
        ByteArrayOutputStream cell = new ByteArrayOutputStream();
        PrintStream cellStream = new PrintStream(cell, true, StandardCharsets.UTF_8);
        Progress p = new Progress(cellStream, runs, 50);
        p.println("[r1] data toy");
        p.println("[r1] train em");
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"component":"em","phase":"train","step":1,"values":{"train_loglik":-3.5}}
                {"component":"em","phase":"train","step":2,"values":{"train_loglik":-3.25}}
                """);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cell.toString(StandardCharsets.UTF_8).contains("em at step 2: train_loglik=-3.2500")
                && System.nanoTime() < deadline) {
            Thread.sleep(20); // the ticker shows the phase's latest step while it runs
        }
        assertTrue(cell.toString(StandardCharsets.UTF_8).contains("em at step 2: train_loglik=-3.2500"), cell::toString);
        p.println("[r1] sample ancestral");
        p.println("something went wrong");
        p.close();
        p.finish();
        String out = cell.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("run r1\n"), out);
        assertTrue(out.contains("train     em"), out);
        assertTrue(out.contains("em: 2 step(s) logged, at step 2: train_loglik=-3.2500"), out);
        assertTrue(out.contains("sample    ancestral"), out);
        assertTrue(out.strip().endsWith("done"), out);
        assertEquals("something went wrong\n", p.errors());
        cellStream.println("still open");
        assertTrue(cell.toString(StandardCharsets.UTF_8).endsWith("still open\n"), "closing progress leaves the cell's stream open");
    }
}
