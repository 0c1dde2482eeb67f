package org.genbench.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    private static String[] run(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            status = Main.run(new ArrayList<>(List.of(args)));
        } finally {
            System.setOut(saved);
        }
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void helpInEveryUsualSpellingPrintsTheUsageAndSucceeds() throws Exception {
        for (List<String> args : List.of(List.of("--help"), List.of("-h"), List.of("help"), List.of("run", "--help"),
                List.of("--workspace", "/tmp/x", "-h"), List.of("serve", "-h"))) {
            String[] r = run(args.toArray(String[]::new));
            assertEquals("0", r[0], args.toString());
            assertTrue(r[1].startsWith("usage: genbench"), args + ": " + r[1]);
            for (String verb : List.of("run SPEC", "serve", "new-plugin NAME", "--features")) {
                assertTrue(r[1].contains(verb), verb);
            }
        }
    }

    @Test
    void noVerbPrintsTheUsageAndFails() throws Exception {
        String[] r = run();
        assertEquals("1", r[0]);
        assertTrue(r[1].startsWith("usage: genbench"));
    }
}
