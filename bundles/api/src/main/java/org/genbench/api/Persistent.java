package org.genbench.api;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A model whose full state can be written to and read from a directory. The run store calls {@link #save}
 * into a temporary directory and renames it, so a checkpoint is either whole or absent.
 */
@ConsumerType
public interface Persistent extends Capability {
    void save(Path directory) throws IOException;

    /** Restores the state; fails with a message naming what is missing or inconsistent. */
    void load(Path directory) throws IOException;
}
