package org.genbench.workbench.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.spec.ExperimentSpec;

/**
 * A checked experiment: each part resolved to an installed component with its settings record built and
 * validated. Running it cannot fail for want of a component or a capability. {@code trainer} is null for a model
 * that needs no training.
 */
record Composition(ExperimentSpec spec, Part dataset, Part model, Part trainer, List<Part> samplers,
                   List<Part> evaluators) {
    /**
     * One resolved part; {@code id} tells two uses of the same component apart, {@code place} is where the spec
     * names it ({@code samplers[1]}).
     */
    record Part(Registered registered, String id, String place, Record config) {
        String name() {
            return registered.name();
        }

        /** {@code samplers[1] (hmc)}: how messages name this part. */
        String label() {
            return place + " (" + registered.name() + ")";
        }
    }

    List<Part> all() {
        List<Part> out = new ArrayList<>(List.of(dataset, model));
        if (trainer != null) {
            out.add(trainer);
        }
        out.addAll(samplers);
        out.addAll(evaluators);
        return out;
    }
}
