package org.genbench.shell.internal;

import java.io.PrintStream;
import org.genbench.workbench.RunListener;

/** Draws a run's progress on a terminal line; without a terminal it prints one line per phase. */
final class ProgressBar implements RunListener {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean terminal;
    private String label = "";
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void phase(String runId, String phase, String component) {
        finishLine();
        label = phase + " " + component;
        if (!terminal) {
            err.println("[" + runId + "] " + label);
        }
    }

    @Override
    public void progress(String runId, String phase, long done, long total) {
        if (!terminal || total <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return; // at most ten redraws a second
        }
        lastDraw = now;
        int filled = (int) Math.min(WIDTH, WIDTH * done / total);
        err.print("\r" + String.format("%-24s", label) + " [" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
                + String.format("%3d%%", 100 * done / total) + " " + done + "/" + total);
        drawn = true;
        if (done >= total) {
            finishLine();
        }
    }

    private void finishLine() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
