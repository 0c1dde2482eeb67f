package org.genbench.data.image.internal;

import java.util.List;
import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.Batch;

/** Splits held in memory; closing the dataset frees them. */
final class ImageDataset implements Dataset {
    private final DataInfo info;
    private final Map<String, Batch> splits;
    private final List<String> names;
    private final List<String> classes;
    private boolean closed;

    ImageDataset(DataInfo info, Map<String, Batch> splits, List<String> classes) {
        this.info = info;
        this.splits = Map.copyOf(splits);
        this.names = List.copyOf(splits.keySet());
        this.classes = List.copyOf(classes);
    }

    @Override
    public DataInfo info() {
        return info;
    }

    /** Class names by label index. */
    List<String> classes() {
        return classes;
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
