package org.genbench.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Common to every pluggable part. {@code C} is the component's settings: an immutable record that validates itself
 * in its constructor and supplies its defaults there (absent JSON fields arrive as null). The workbench builds it
 * from the spec's {@code config} object before anything runs, so a bad value fails at compose time.
 */
@ConsumerType
public interface Component<C extends Record> {
    /** The name a spec uses, e.g. {@code gmm}, {@code hmc}. Unique within a role. */
    String name();

    /** One line for listings. */
    String description();

    Class<C> configType();
}
