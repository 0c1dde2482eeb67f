package org.genbench.trainer.adversarial.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mini-batches without replacement: each epoch is a fresh permutation of the training split, and batch {@code i}
 * of the run is rows {@code [(i mod b) * size, ...)} of epoch {@code i / b}'s permuted copy, where b is the number of
 * whole batches per epoch (the remainder is dropped, as PyTorch's {@code drop_last}). The permutation of epoch e is
 * drawn from {@code rng.split(e)}, so any batch is determined by its index alone (exact resume). One gather per epoch
 * makes every batch a zero-copy {@link Tensor#slice} of contiguous rows.
 */
final class Shuffler implements AutoCloseable {
    private final Batch data;
    private final int batchSize;
    private final long perEpoch;
    private final Rng rng;
    private final BufferAllocator allocator;
    private long epoch = -1;
    private Map<String, Tensor> shuffled;

    Shuffler(Batch data, int batchSize, Rng rng, BufferAllocator allocator) {
        this.data = data;
        this.batchSize = batchSize;
        this.perEpoch = data.size() / batchSize;
        this.rng = rng;
        this.allocator = allocator;
    }

    /** Batch {@code index} (0-based over the run); the caller closes it (views, the epoch's copy stays). */
    Batch batch(long index) {
        long e = index / perEpoch;
        if (e != epoch) {
            reshuffle(e);
        }
        long start = (index % perEpoch) * batchSize;
        Map<String, Tensor> views = new LinkedHashMap<>();
        shuffled.forEach((name, t) -> views.put(name, t.slice(start, batchSize)));
        return new Batch(views);
    }

    private void reshuffle(long e) {
        closeShuffled();
        int n = Math.toIntExact(data.size());
        Rng r = rng.split(Math.toIntExact(e));
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> entry : data.tensors().entrySet()) {
                out.put(entry.getKey(), gather(entry.getValue(), perm));
            }
        } catch (RuntimeException ex) {
            out.values().forEach(Tensor::close);
            throw ex;
        }
        shuffled = out;
        epoch = e;
    }

    /** Rows {@code perm} of {@code t}, as a new tensor of the same type and shape. */
    private Tensor gather(Tensor t, int[] perm) {
        INDArray rows = Nd4jArrow.view(t).reshape('c', t.rows(), t.rowSize());
        INDArray picked = rows.getRows(perm);
        return Nd4jArrow.toTensor(picked.reshape('c', t.shape()), allocator);
    }

    private void closeShuffled() {
        if (shuffled != null) {
            shuffled.values().forEach(Tensor::close);
            shuffled = null;
        }
    }

    @Override
    public void close() {
        closeShuffled();
    }
}
