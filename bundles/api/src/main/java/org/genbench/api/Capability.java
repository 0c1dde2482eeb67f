package org.genbench.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Marker for what a model can do. A model advertises a capability by implementing its interface; samplers,
 * trainers and evaluators state the capabilities they need as a {@link Requirement}.
 */
@ConsumerType
public interface Capability {
    /** The short name shown in messages and listings, e.g. {@code Energy}. */
    static String nameOf(Class<? extends Capability> capability) {
        return capability.getSimpleName();
    }
}
