package org.genbench.eval.fid.internal;

import java.util.Arrays;
import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/** Datasets with one split ({@code test}) of images; the dataset owns and closes them. */
final class TestImages {
    private TestImages() {
    }

    static InMemoryDataset of(Tensor x) {
        long[] shape = x.shape();
        DataInfo info = new DataInfo("test/images", Arrays.copyOfRange(shape, 1, shape.length), DataInfo.DISCRETE, 10, null);
        return new InMemoryDataset(info, Map.of("test", Batch.of(x)));
    }
}
