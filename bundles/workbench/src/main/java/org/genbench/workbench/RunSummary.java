package org.genbench.workbench;

import java.nio.file.Path;
import java.util.Map;

/** A past run as listed by {@code genbench runs}: status and final metrics ({@code component/name -> value}). */
public record RunSummary(String id, String name, long seed, String status, String started, Path directory,
                         Map<String, Double> metrics, String error) {
    public RunSummary {
        metrics = Map.copyOf(metrics);
    }
}
