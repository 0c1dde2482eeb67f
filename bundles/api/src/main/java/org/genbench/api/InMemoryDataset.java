package org.genbench.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.api.tensor.Batch;

/**
 * A dataset whose splits are held in memory as batches, in the order given; closing it frees them. What most
 * dataset bundles return from {@link DatasetProvider#open}.
 */
public final class InMemoryDataset implements Dataset {
    private final DataInfo info;
    private final Map<String, Batch> splits;
    private final List<String> names;
    private boolean closed;

    /** Takes ownership of the batches. */
    public InMemoryDataset(DataInfo info, Map<String, Batch> splits) {
        this.info = info;
        this.splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
        this.names = List.copyOf(this.splits.keySet());
    }

    @Override
    public DataInfo info() {
        return info;
    }

    @Override
    public List<String> splits() {
        return names;
    }

    @Override
    public Batch split(String name) {
        if (closed) {
            throw new IllegalStateException("dataset " + info.name() + " is closed");
        }
        Batch batch = splits.get(name);
        if (batch == null) {
            throw new IllegalArgumentException("dataset " + info.name() + " has no split '" + name
                    + "'; available: " + names);
        }
        return batch;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            splits.values().forEach(Batch::close);
        }
    }
}
