package org.genbench.eval.likelihood.internal;

import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/** Datasets with a single split holding {@code x}; the dataset owns and closes it. */
final class TestDataset {
    private TestDataset() {
    }

    static InMemoryDataset of(DataInfo info, String splitName, Tensor x) {
        return new InMemoryDataset(info, Map.of(splitName, Batch.of(x)));
    }
}
