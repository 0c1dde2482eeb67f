package org.genbench.api;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A model instance. What it can do is the set of {@link Capability} interfaces it implements; its family
 * declares the same set up front so experiments can be checked before anything is built.
 */
@ConsumerType
public interface Model extends AutoCloseable {
    DataInfo data();

    /** This model seen as {@code capability}, if it has it. */
    default <T extends Capability> Optional<T> as(Class<T> capability) {
        return capability.isInstance(this) ? Optional.of(capability.cast(this)) : Optional.empty();
    }

    /** Number of trainable scalars, for listings and provenance. */
    long parameterCount();

    @Override
    default void close() {
    }
}
