package org.genbench.data.toy.internal;

import java.util.List;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.KnownDensity;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** A toy dataset that knows the density it was drawn from ({@link ToyDensities}). */
final class ToyDataset implements Dataset, KnownDensity {
    private final InMemoryDataset splits;
    private final String shape;
    private final double noise;

    ToyDataset(InMemoryDataset splits, String shape, double noise) {
        this.splits = splits;
        this.shape = shape;
        this.noise = noise;
    }

    @Override
    public DataInfo info() {
        return splits.info();
    }

    @Override
    public List<String> splits() {
        return splits.splits();
    }

    @Override
    public Batch split(String name) {
        return splits.split(name);
    }

    @Override
    public Tensor trueLogDensity(Tensor x) {
        if (x.rank() != 2 || x.shape()[1] != 2) {
            throw new IllegalArgumentException("the " + shape + " density takes points [n, 2], got " + x);
        }
        long n = x.rows();
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
        for (long i = 0; i < n; i++) {
            out.setDouble(i, ToyDensities.logDensity(shape, noise, x.getDouble(2 * i), x.getDouble(2 * i + 1)));
        }
        return out;
    }

    @Override
    public void close() {
        splits.close();
    }
}
