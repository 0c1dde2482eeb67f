package org.genbench.api.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole experiment: data, model, an optional trainer (absent for models with nothing to fit), samplers,
 * evaluators and the seed every random stream derives from. The same spec gives the same numbers. The name and
 * every component id become file names, so each is a safe path segment ({@link Names}), and the ids of the
 * samplers, and of the evaluators, are unique among them.
 */
public record ExperimentSpec(String name, Long seed, ComponentSpec dataset, ComponentSpec model,
                             ComponentSpec trainer, List<ComponentSpec> samplers, List<ComponentSpec> evaluators) {
    public ExperimentSpec {
        if (name == null) {
            throw new IllegalArgumentException("name is missing");
        }
        Names.check("name", name);
        if (seed == null) {
            throw new IllegalArgumentException("seed is missing");
        }
        if (dataset == null) {
            throw new IllegalArgumentException("dataset is missing");
        }
        if (model == null) {
            throw new IllegalArgumentException("model is missing");
        }
        samplers = samplers == null ? List.of() : List.copyOf(samplers);
        evaluators = evaluators == null ? List.of() : List.copyOf(evaluators);
        // Samplers' ids name their samples files and metrics, evaluators' their metrics: unique within each list.
        for (List<ComponentSpec> list : List.of(samplers, evaluators)) {
            String field = list == samplers ? "samplers" : "evaluators";
            Map<String, Integer> used = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                ComponentSpec part = java.util.Objects.requireNonNull(list.get(i), field + "[" + i + "]");
                Integer earlier = used.putIfAbsent(part.id(), i);
                if (earlier != null) {
                    throw new IllegalArgumentException(field + "[" + i + "].id '" + part.id() + "' is also the id of " + field
                            + "[" + earlier + "]; give each an 'id' of its own");
                }
            }
        }
    }

    /** Each part by its place in the spec: {@code dataset}, {@code trainer}, {@code samplers[1]}, ... */
    private static Map<String, ComponentSpec> parts(ComponentSpec dataset, ComponentSpec model, ComponentSpec trainer,
                                                    List<ComponentSpec> samplers, List<ComponentSpec> evaluators) {
        Map<String, ComponentSpec> out = new java.util.LinkedHashMap<>();
        out.put("dataset", dataset);
        out.put("model", model);
        if (trainer != null) {
            out.put("trainer", trainer);
        }
        for (int i = 0; i < samplers.size(); i++) {
            out.put("samplers[" + i + "]", java.util.Objects.requireNonNull(samplers.get(i), "samplers[" + i + "]"));
        }
        for (int i = 0; i < evaluators.size(); i++) {
            out.put("evaluators[" + i + "]", java.util.Objects.requireNonNull(evaluators.get(i), "evaluators[" + i + "]"));
        }
        return out;
    }

    /** Every part with its place in the spec ({@code dataset}, {@code samplers[1]}, ...), in spec order. */
    public Map<String, ComponentSpec> parts() {
        return parts(dataset, model, trainer, samplers, evaluators);
    }

    /** A copy with another seed (sweeps over seeds). */
    public ExperimentSpec withSeed(long newSeed) {
        return new ExperimentSpec(name, newSeed, dataset, model, trainer, samplers, evaluators);
    }

    /** Convenience for code and notebooks; {@code trainer} may be null. */
    public static ExperimentSpec of(String name, long seed, ComponentSpec dataset, ComponentSpec model,
                                    ComponentSpec trainer, List<ComponentSpec> samplers, List<ComponentSpec> evaluators) {
        return new ExperimentSpec(name, seed, dataset, model, trainer, samplers, evaluators);
    }
}
