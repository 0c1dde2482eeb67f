package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.genbench.workbench.RunResult;

/**
 * {@code metrics.json}: the final metrics in the order they were produced, each with its fields in a fixed order and
 * its protocol's keys sorted, so two runs that computed the same numbers write the same bytes. A non-finite value
 * is written as {@code null} with {@code "nonFinite": "NaN"} (or {@code "Infinity"}), since JSON has no such numbers.
 */
final class Metrics {
    private Metrics() {
    }

    static byte[] json(List<RunResult.RunMetric> finals) throws IOException {
        ObjectNode root = RunStore.object();
        ArrayNode array = root.putArray("metrics");
        for (RunResult.RunMetric m : finals) {
            ObjectNode o = array.addObject();
            o.put("role", m.role()).put("component", m.component()).put("name", m.metric().name());
            double v = m.metric().value();
            if (Double.isFinite(v)) {
                o.put("value", v);
            } else {
                o.putNull("value");
                o.put("nonFinite", Double.toString(v));
            }
            o.put("kind", m.metric().kind());
            o.set("protocol", sorted(m.metric().protocol()));
        }
        return Json.MAPPER.writeValueAsBytes(root);
    }

    /** Any value as JSON with every map's keys sorted and non-finite numbers as strings naming them. */
    static JsonNode sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            ObjectNode o = RunStore.object();
            Map<String, Object> byKey = new TreeMap<>();
            map.forEach((k, v) -> byKey.put(String.valueOf(k), v));
            byKey.forEach((k, v) -> o.set(k, sorted(v)));
            return o;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            list.forEach(v -> a.add(sorted(v)));
            return a;
        }
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            return Json.MAPPER.getNodeFactory().textNode(value.toString());
        }
        return Json.MAPPER.valueToTree(value);
    }
}
