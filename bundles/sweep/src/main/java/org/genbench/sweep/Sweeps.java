package org.genbench.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.genbench.workbench.RunListener;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs sweeps in this workbench and records them in {@code workspace/sweeps/<name>/}: {@code points/<key>.json}
 * (each point's run and its state), {@code compare.txt}, {@code summary.json} and {@code sweep.png}. The record is
 * what makes a sweep resumable: a point whose run completed is never run again; any other point is run afresh,
 * its earlier, unfinished run directory deleted first (replaced, never merged).
 */
@ProviderType
public interface Sweeps {
    /** Where a point stands. */
    enum Status {
        /** Its run completed; the sweep keeps it. */
        COMPLETED,
        /** Its last attempt failed; the next sweep runs it afresh. */
        FAILED,
        /** Under way now, or left so by a sweep that died; the next sweep runs it afresh. */
        RUNNING,
        /** Never attempted. */
        MISSING
    }

    /** A point and what the sweep's record says of it; {@code runId} is null until a run was created. */
    record PointState(SweepPoint point, Status status, String runId, String error, int attempts) {
    }

    /** What {@link #run} did. */
    record Outcome(int total, int alreadyDone, int ran, int failed, Report report) {
    }

    /**
     * The sweep's result: {@code summary} is the table of mean ± sd over seeds (header row first: metric, kind, one
     * column per setting), with the files written beside it.
     */
    record Report(List<String[]> summary, Path table, Path summaryJson, Path plot, int completed, int total) {
    }

    /** {@code workspace/sweeps/<name>/}. */
    Path directory(SweepSpec spec);

    /** Every point with its recorded state. */
    List<PointState> plan(SweepSpec spec) throws IOException;

    /**
     * Runs one point unless its run completed already: deletes the directory of an earlier, unfinished attempt,
     * runs the point's spec and records the outcome. Returns the point's state afterwards. Used by {@link #run} and
     * by Spark executors, one point per task.
     */
    PointState runPoint(SweepSpec spec, SweepPoint point, RunListener listener) throws IOException;

    /**
     * Runs every point that has not completed, {@code parallel} at a time, then {@link #report}s. One sweep of a
     * name runs at a time per workspace (a lock in its directory); {@code progress} gets one line per event.
     */
    Outcome run(SweepSpec spec, int parallel, Consumer<String> progress) throws IOException, InterruptedException;

    /** Writes compare.txt, summary.json and sweep.png from the completed points' runs. */
    Report report(SweepSpec spec) throws IOException;
}
