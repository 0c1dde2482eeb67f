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

    /**
     * The memory these settings ask for, per setting that drives it, given what the dataset will yield (or
     * {@link DataSize#UNKNOWN}). Called at compose time, before anything runs; cheap and without side effects.
     * Components with nothing large to hold keep the default.
     */
    default java.util.List<MemoryDemand> memory(C config, DataSize data) {
        return java.util.List.of();
    }

    /**
     * Refuses settings that cannot work with what the dataset will yield (more mixture components than training
     * examples, a split the dataset does not have) by throwing {@link IllegalArgumentException} with a message that
     * starts with the field's name, as the config record's own checks do. Called at compose time, before anything
     * runs, only when the dataset can tell its size ({@link DatasetProvider#size}).
     */
    default void checkData(C config, DataSize data) {
    }
}
