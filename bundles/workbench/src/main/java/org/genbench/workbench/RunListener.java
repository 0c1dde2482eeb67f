package org.genbench.workbench;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/** Progress events of one run; front ends draw bars from them. Called on the run's thread. */
@ConsumerType
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    /** A phase begins: {@code data}, {@code model}, {@code train}, {@code sample}, {@code evaluate}, {@code write}. */
    default void phase(String runId, String phase, String component) {
    }

    default void progress(String runId, String phase, long done, long total) {
    }

    default void metrics(String runId, String component, long step, Map<String, Double> values) {
    }
}
