package org.genbench.eval.fid.internal;

import java.util.List;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/** A dataset with one split of images; it owns and closes them. */
final class TestImages implements Dataset {
    private final DataInfo info;
    private final Batch test;

    TestImages(Tensor x) {
        long[] shape = x.shape();
        this.info = new DataInfo("test/images", java.util.Arrays.copyOfRange(shape, 1, shape.length), DataInfo.DISCRETE,
                10, null);
        this.test = Batch.of(x);
    }

    @Override
    public DataInfo info() {
        return info;
    }

    @Override
    public List<String> splits() {
        return List.of("test");
    }

    @Override
    public Batch split(String name) {
        if (!name.equals("test")) {
            throw new IllegalArgumentException("no split '" + name + "'; available: " + splits());
        }
        return test;
    }

    @Override
    public void close() {
        test.close();
    }
}
