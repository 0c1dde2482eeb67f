package org.genbench.workbench.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the run's worker thread and the thread that supervises it share: the phase under way (for the per-phase
 * timeout), why the run must stop (a cancel, a timeout, a departed plug-in, a divergence) and with which status, and
 * whether the final state has been written (exactly once, by whichever thread gets there first).
 */
final class RunControl {
    /** Why a run stopped early and the status that records it. */
    record Stop(String status, String reason) {
    }

    private final String runId;
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Thread worker;
    private volatile String phase = "start";
    private volatile String component = "";
    private volatile long phaseStarted = System.nanoTime();

    RunControl(String runId) {
        this.runId = runId;
    }

    String runId() {
        return runId;
    }

    void worker(Thread t) {
        this.worker = t;
    }

    Thread worker() {
        return worker;
    }

    void phase(String phase, String component) {
        this.phase = phase;
        this.component = component;
        this.phaseStarted = System.nanoTime();
    }

    String phase() {
        return phase;
    }

    String component() {
        return component;
    }

    long phaseNanos() {
        return System.nanoTime() - phaseStarted;
    }

    /** Asks the run to stop; the first reason wins. Interrupts the worker so blocking calls return too. */
    boolean stop(String status, String reason) {
        boolean first = stop.compareAndSet(null, new Stop(status, reason));
        Thread t = worker;
        if (first && t != null) {
            t.interrupt();
        }
        return first;
    }

    Stop stopped() {
        return stop.get();
    }

    boolean isStopped() {
        return stop.get() != null;
    }

    /** True for the one caller that may write the final state. */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    boolean isFinished() {
        return finished.get();
    }

    /** Thrown into a component from {@code log}/{@code progress} once the run must stop, so it stops at its next step. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String reason) {
            super(reason, null, false, false);
        }
    }
}
