package org.genbench.workbench.internal;

import java.util.List;
import org.genbench.api.spec.ExperimentSpec;

/**
 * A checked experiment: each part resolved to an installed component with its settings record built and
 * validated. Running it cannot fail for want of a component or a capability.
 */
record Composition(ExperimentSpec spec, Part dataset, Part model, Part trainer, List<Part> samplers,
                   List<Part> evaluators) {
    /** One resolved part; {@code id} tells two uses of the same component apart. */
    record Part(Registered registered, String id, Record config) {
        String name() {
            return registered.name();
        }
    }

    List<Part> all() {
        List<Part> out = new java.util.ArrayList<>(List.of(dataset, model, trainer));
        out.addAll(samplers);
        out.addAll(evaluators);
        return out;
    }
}
