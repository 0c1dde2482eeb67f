package org.genbench.stats;

import java.nio.ByteOrder;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** Bulk copies between tensors and Java arrays: the chains of a sampler live in arrays, the model speaks tensors. */
final class Values {
    private Values() {
    }

    /** All of {@code t} as doubles, into {@code out} (length t.size()). */
    static double[] read(Tensor t, double[] out) {
        if (t.size() != out.length) {
            throw new IllegalStateException("expected " + out.length + " values, the model returned " + t);
        }
        int n = out.length;
        if (t.dtype() == DType.FLOAT64) {
            t.buffer().nioBuffer(0, n * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        } else if (t.dtype() == DType.FLOAT32) {
            java.nio.FloatBuffer f = t.buffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                out[i] = f.get(i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = t.getDouble(i);
            }
        }
        return out;
    }

    static double[] read(Tensor t) {
        return read(t, new double[Math.toIntExact(t.size())]);
    }

    /** A new float64 tensor holding {@code values}. */
    static Tensor tensor(BufferAllocator allocator, double[] values, long... shape) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT64, shape);
        write(values, t);
        return t;
    }

    /** Overwrites a float64 tensor with {@code values}. */
    static void write(double[] values, Tensor t) {
        if (t.dtype() != DType.FLOAT64 || t.size() != values.length) {
            throw new IllegalArgumentException(values.length + " doubles do not fit " + t);
        }
        t.buffer().nioBuffer(0, values.length * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(values);
    }
}
