package org.genbench.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a sweep: a setting and a seed. {@code key} is a hash of {@code spec} (the complete experiment spec of
 * the run, JSON with sorted keys), so a point is the same point exactly when it would run the same thing.
 *
 * @param setting  index of the setting in the sweep's order
 * @param runName  the spec's name for the runs of this setting ({@code <sweep>.<label>})
 * @param label    the setting in a few characters ({@code components-4}), for tables and plots
 * @param values   the values the setting sets, by path
 */
public record SweepPoint(String key, int setting, String runName, String label, Map<String, JsonNode> values,
                         long seed, String spec) {
    public SweepPoint {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
