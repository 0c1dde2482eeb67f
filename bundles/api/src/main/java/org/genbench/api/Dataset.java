package org.genbench.api;

import java.util.List;
import org.genbench.api.tensor.Batch;
import org.osgi.annotation.versioning.ConsumerType;

/** An opened dataset: named splits (at least {@code train} and {@code test}) served as Arrow batches. */
@ConsumerType
public interface Dataset extends AutoCloseable {
    DataInfo info();

    List<String> splits();

    /**
     * The whole split as one batch, owned by the dataset (do not close it; the dataset does on close).
     * Fails with a message naming the available splits if {@code name} is unknown.
     */
    Batch split(String name);

    @Override
    void close();
}
