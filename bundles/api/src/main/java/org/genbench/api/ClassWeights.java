package org.genbench.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/**
 * A dataset setting ({@code classWeights} in a dataset's config) that trains on a deliberately skewed subset of a
 * labelled split, to study bias amplification: of class c's examples, the first {@code round(n_c * w_c / max w)}
 * in row order are kept, so the class shares become proportional to {@code n_c * w_c}. Datasets apply it to their
 * training split only; the test split keeps the data's own distribution, against which a model's skew is measured.
 * The subset does not depend on the seed (a prefix per class of data that is already in random order), so it can be
 * recomputed from the files.
 */
public record ClassWeights(List<Double> weights) {
    public ClassWeights {
        if (weights == null || weights.isEmpty()) {
            throw new IllegalArgumentException("classWeights must list one weight per class, was empty");
        }
        weights = List.copyOf(weights);
        double max = 0;
        for (int c = 0; c < weights.size(); c++) {
            Double w = weights.get(c);
            if (w == null || !(w >= 0 && w <= 1)) {
                throw new IllegalArgumentException("classWeights[" + c + "] must be in [0, 1], was " + w);
            }
            max = Math.max(max, w);
        }
        if (!(max > 0)) {
            throw new IllegalArgumentException("classWeights must keep some class: at least one weight must be > 0");
        }
    }

    /** The weights of a dataset config field, or null when the field is absent. */
    public static ClassWeights of(List<Double> weights) {
        return weights == null ? null : new ClassWeights(weights);
    }

    /** Fails naming the field when the weights do not give one per class. */
    public void check(int numClasses) {
        if (weights.size() != numClasses) {
            throw new IllegalArgumentException("classWeights must have one weight per class (" + numClasses
                    + "), has " + weights.size());
        }
    }

    /** How many of {@code count} examples of class {@code c} are kept. */
    public int kept(int c, int count) {
        double max = weights.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return (int) Math.round(count * weights.get(c) / max);
    }

    /**
     * The kept rows of {@code split} (its {@code x} and {@code label}, INT32 or INT64 in {@code 0..numClasses-1}) as a
     * new batch in {@code allocator}, rows in their original order. The caller still owns {@code split}.
     */
    public Batch apply(Batch split, BufferAllocator allocator) {
        Tensor labels = split.label().orElseThrow(() ->
                new IllegalArgumentException("classWeights needs a labelled split"));
        int n = Math.toIntExact(labels.size());
        int classes = weights.size();
        int[] counts = new int[classes];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            double v = labels.getDouble(i);
            if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                throw new IllegalArgumentException("label " + v + " at row " + i + " is not a class 0.." + (classes - 1)
                        + " of classWeights");
            }
            label[i] = (int) v;
            counts[label[i]]++;
        }
        int[] quota = new int[classes];
        for (int c = 0; c < classes; c++) {
            quota[c] = kept(c, counts[c]);
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (quota[label[i]] > 0) {
                quota[label[i]]--;
                rows.add(i);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : split.tensors().entrySet()) {
                out.put(e.getKey(), gather(e.getValue(), rows, allocator));
            }
            return new Batch(out);
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }

    private static Tensor gather(Tensor t, List<Integer> rows, BufferAllocator allocator) {
        long[] shape = t.shape();
        shape[0] = rows.size();
        Tensor out = Tensor.allocate(allocator, t.dtype(), shape);
        long rowBytes = t.rowSize() * t.dtype().bytes();
        for (int i = 0; i < rows.size(); i++) {
            out.buffer().setBytes(i * rowBytes, t.buffer(), rows.get(i) * rowBytes, rowBytes);
        }
        return out;
    }
}
