package org.genbench.workbench;

import java.nio.file.Path;
import java.util.List;
import org.genbench.api.Metric;

/** A finished run: where it lives and its final metrics, each labelled with the component that produced it. */
public record RunResult(String id, Path directory, List<RunMetric> metrics) {
    public RunResult {
        metrics = List.copyOf(metrics);
    }

    /** The value of the first metric called {@code name}, from any component. */
    public double value(String name) {
        return metrics.stream().filter(m -> m.metric().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("run " + id + " has no metric '" + name + "'"))
                .metric().value();
    }

    /** A metric with the role and id of the component that reported it. */
    public record RunMetric(String role, String component, Metric metric) {
    }
}
