package org.genbench.web.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.genbench.workbench.RunListener;

/**
 * Progress of the runs launched from the dashboard, as the runner reports it: the phase and component under way,
 * steps done of total, and the latest logged values per component. The page polls it; the run store has the rest.
 */
final class LiveRuns {
    /** What the page shows for a run under way. Fields are written by the run's thread and read by requests. */
    static final class Live {
        volatile String phase = "starting";
        volatile String component = "";
        volatile long done;
        volatile long total;
        volatile String error;
        volatile boolean finished;
        final Map<String, Map<String, Double>> latest = new ConcurrentHashMap<>();
        final long startedMillis = System.currentTimeMillis();
    }

    private final Map<String, Live> runs = new ConcurrentHashMap<>();

    /**
     * A listener for one launch; {@code id} completes with the run's id at its first event (the runner has created
     * the directory by then).
     */
    RunListener listener(CompletableFuture<String> id) {
        return new RunListener() {
            private Live live(String runId) {
                Live l = runs.computeIfAbsent(runId, k -> new Live());
                id.complete(runId);
                return l;
            }

            @Override
            public void phase(String runId, String phase, String component) {
                Live l = live(runId);
                l.phase = phase;
                l.component = component;
                l.done = 0;
                l.total = 0;
            }

            @Override
            public void progress(String runId, String phase, long done, long total) {
                Live l = live(runId);
                l.done = done;
                l.total = total;
            }

            @Override
            public void metrics(String runId, String component, long step, Map<String, Double> values) {
                Live l = live(runId);
                Map<String, Double> copy = new LinkedHashMap<>(values);
                copy.put("step", (double) step);
                l.latest.put(component, copy);
            }
        };
    }

    void finished(String runId, String error) {
        Live l = runs.get(runId);
        if (l != null) {
            l.error = error;
            l.finished = true;
        }
    }

    Live get(String runId) {
        return runs.get(runId);
    }
}
