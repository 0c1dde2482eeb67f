package org.genbench.api;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.osgi.annotation.versioning.ProviderType;

/** What the runner hands a component while it works: its random stream, memory, metric log and progress. */
@ProviderType
public interface RunContext {
    /** This component's own stream, split from the experiment seed by component role and name. */
    Rng rng();

    /** The allocator for tensors this component creates; the runner closes it and fails on leaks. */
    BufferAllocator allocator();

    /** Appends one line of step metrics to the run's metrics log. */
    void log(long step, Map<String, Double> values);

    /** Reports progress of the current phase; front ends draw it as a bar. */
    void progress(long done, long total);

    /** True when the run was asked to stop; long loops check it and return early. */
    boolean isCancelled();

    /** This run's checkpoints: trainers save through it, and find the one to resume from. */
    Checkpoints checkpoints();

    /**
     * A directory of this run that belongs to this component ({@code runs/<id>/outputs/<component-id>/}), created on
     * first call, for the pictures and tables only it can make (a VAE's reconstructions, a detector's table). Write
     * whole files under a temporary name and rename them.
     */
    java.nio.file.Path outputDirectory() throws java.io.IOException;
}
