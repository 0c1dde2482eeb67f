package org.genbench.api;

import java.util.Map;
import java.util.Objects;

/**
 * One number with what it is and how it was measured. {@code kind} says what sort of estimate it is (for a
 * likelihood: {@code exact}, {@code bound}, {@code ais}); {@code protocol} holds what makes it comparable
 * (sample counts, feature network hash, dequantization). A metric without its protocol is not comparable.
 */
public record Metric(String name, double value, String kind, Map<String, Object> protocol) {
    public Metric {
        Objects.requireNonNull(name, "name");
        kind = kind == null ? "value" : kind;
        protocol = protocol == null ? Map.of() : Map.copyOf(protocol);
    }

    public static Metric of(String name, double value) {
        return new Metric(name, value, "value", Map.of());
    }
}
