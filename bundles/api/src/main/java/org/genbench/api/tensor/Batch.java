package org.genbench.api.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Named tensors with the same number of rows: {@code x} always, {@code label} when the data is labelled.
 * Closing the batch closes its tensors.
 */
public final class Batch implements AutoCloseable {
    public static final String X = "x";
    public static final String LABEL = "label";

    private final Map<String, Tensor> tensors;

    public Batch(Map<String, Tensor> tensors) {
        if (!tensors.containsKey(X)) {
            throw new IllegalArgumentException("a batch needs a tensor named 'x', has " + tensors.keySet());
        }
        long rows = tensors.get(X).rows();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue().rows() != rows) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has " + e.getValue().rows()
                        + " rows, 'x' has " + rows);
            }
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static Batch of(Tensor x) {
        return new Batch(Map.of(X, x));
    }

    public static Batch of(Tensor x, Tensor label) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put(X, x);
        m.put(LABEL, label);
        return new Batch(m);
    }

    public Tensor x() {
        return tensors.get(X);
    }

    public Optional<Tensor> label() {
        return Optional.ofNullable(tensors.get(LABEL));
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public long size() {
        return x().rows();
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
    }
}
