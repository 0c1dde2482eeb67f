package org.genbench.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What every task needs to run a point, shipped with the job (small: paths, feature names and the sweep spec's
 * text). {@code home} is the genbench installation (the same path on every node), {@code workspace} the run store
 * every executor writes to (a local directory in local mode, a shared file system on a cluster).
 */
record Job(String home, String workspace, List<String> features, String specName, String specText, String commit)
        implements Serializable {
    Job {
        features = List.copyOf(features);
    }

    /** Tasks of one job may share an executor's workbench; tasks of another may not. */
    String identity() {
        return home + " | " + workspace + " | " + String.join(",", features);
    }
}
