package org.genbench.eval.likelihood.internal;

import java.util.List;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/** A dataset with a single split holding {@code x}; the dataset owns and closes it. */
final class TestDataset implements Dataset {
    private final DataInfo info;
    private final String splitName;
    private final Batch batch;

    TestDataset(DataInfo info, String splitName, Tensor x) {
        this.info = info;
        this.splitName = splitName;
        this.batch = Batch.of(x);
    }

    @Override
    public DataInfo info() {
        return info;
    }

    @Override
    public List<String> splits() {
        return List.of(splitName);
    }

    @Override
    public Batch split(String name) {
        if (!name.equals(splitName)) {
            throw new IllegalArgumentException("no split '" + name + "'; available: " + splits());
        }
        return batch;
    }

    @Override
    public void close() {
        batch.close();
    }
}
