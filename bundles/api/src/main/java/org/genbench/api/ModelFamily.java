package org.genbench.api;

import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/** A family of models (GMM, VAE, ...). */
@ConsumerType
public interface ModelFamily<C extends Record> extends Component<C> {
    /** The capabilities every model of this family implements; checked against what the others need. */
    Set<Class<? extends Capability>> capabilities();

    /** Refuses data it cannot model with a message that says why (e.g. a family for 2-D data given images). */
    Model create(C config, DataInfo data, Rng rng);

    /**
     * Whether a model of this family must be fitted by a trainer before it can be sampled or scored. A family whose
     * models are complete when created (fixed parameters, a known density) returns false, and a spec may then leave
     * out {@code trainer}.
     */
    default boolean needsTraining() {
        return true;
    }
}
