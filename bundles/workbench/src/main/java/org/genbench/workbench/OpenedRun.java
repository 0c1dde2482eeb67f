package org.genbench.workbench;

import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Dataset;
import org.genbench.api.Model;
import org.genbench.api.spec.ExperimentSpec;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A completed run reopened from its directory, for work after the run: its dataset opened again as the run opened it
 * (same settings, same random stream, so the same data; the checksum is checked) and its model loaded from the run's
 * {@code checkpoint/}. Closing it closes both and frees their memory.
 */
@ProviderType
public interface OpenedRun extends AutoCloseable {
    String id();

    Path directory();

    /** The spec as the run recorded it, every setting resolved. */
    ExperimentSpec spec();

    Dataset dataset();

    Model model();

    /** Memory for tensors made while the run is open; closed with it. */
    BufferAllocator allocator();

    @Override
    void close();
}
