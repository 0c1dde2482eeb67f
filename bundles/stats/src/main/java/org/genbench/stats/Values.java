package org.genbench.stats;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** The chains live in Java arrays, the model speaks tensors: the two checked copies between them. */
final class Values {
    private Values() {
    }

    /** All of {@code t} into {@code out}, which must have exactly its size. */
    static double[] read(Tensor t, double[] out) {
        if (t.size() != out.length) {
            throw new IllegalStateException("expected " + out.length + " values, the model returned " + t);
        }
        System.arraycopy(t.toDoubleArray(), 0, out, 0, out.length);
        return out;
    }

    /** A new float64 tensor holding {@code values}. */
    static Tensor tensor(BufferAllocator allocator, double[] values, long... shape) {
        return Tensor.of(allocator, DType.FLOAT64, values, shape);
    }

    static void write(double[] values, Tensor t) {
        t.setDoubles(values);
    }
}
