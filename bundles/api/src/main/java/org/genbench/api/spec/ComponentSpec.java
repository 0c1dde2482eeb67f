package org.genbench.api.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One part of an experiment: the component's name ({@code type}) and its settings as parsed JSON values. An
 * optional {@code id} tells two uses of the same component apart (two MALA samplers with different steps). Both
 * become file names in the run directory, so each must be a safe path segment ({@link Names}).
 */
public record ComponentSpec(String type, String id, Map<String, Object> config) {
    public ComponentSpec {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("type is missing");
        }
        Names.check("type", type);
        id = id == null ? type : Names.check("id", id);
        config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    public static ComponentSpec of(String type) {
        return new ComponentSpec(type, null, null);
    }

    public static ComponentSpec of(String type, Map<String, Object> config) {
        return new ComponentSpec(type, null, config);
    }

}
