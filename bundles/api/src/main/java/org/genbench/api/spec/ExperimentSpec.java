package org.genbench.api.spec;

import java.util.List;

/**
 * A whole experiment: data, model, trainer, samplers, evaluators and the seed every random stream derives from.
 * The same spec gives the same numbers.
 */
public record ExperimentSpec(String name, Long seed, ComponentSpec dataset, ComponentSpec model,
                             ComponentSpec trainer, List<ComponentSpec> samplers, List<ComponentSpec> evaluators) {
    public ExperimentSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("field 'name' is missing");
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("field 'name' must match [A-Za-z0-9._-]+, was '" + name + "'");
        }
        if (seed == null) {
            throw new IllegalArgumentException("field 'seed' is missing");
        }
        if (dataset == null) {
            throw new IllegalArgumentException("field 'dataset' is missing");
        }
        if (model == null) {
            throw new IllegalArgumentException("field 'model' is missing");
        }
        if (trainer == null) {
            throw new IllegalArgumentException("field 'trainer' is missing");
        }
        samplers = samplers == null ? List.of() : List.copyOf(samplers);
        evaluators = evaluators == null ? List.of() : List.copyOf(evaluators);
        long distinct = samplers.stream().map(ComponentSpec::id).distinct().count();
        if (distinct != samplers.size()) {
            throw new IllegalArgumentException("field 'samplers': two samplers share an id; give each an 'id'");
        }
    }

    /** A copy with another seed (sweeps over seeds). */
    public ExperimentSpec withSeed(long newSeed) {
        return new ExperimentSpec(name, newSeed, dataset, model, trainer, samplers, evaluators);
    }

    /** Convenience for code and notebooks. */
    public static ExperimentSpec of(String name, long seed, ComponentSpec dataset, ComponentSpec model,
                                    ComponentSpec trainer, List<ComponentSpec> samplers, List<ComponentSpec> evaluators) {
        return new ExperimentSpec(name, seed, dataset, model, trainer, samplers, evaluators);
    }
}
