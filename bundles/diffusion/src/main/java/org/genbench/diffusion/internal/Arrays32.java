package org.genbench.diffusion.internal;

import java.nio.ByteOrder;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** Bulk copies between Java arrays and api tensors (Arrow buffers are little-endian). */
public final class Arrays32 {
    private Arrays32() {
    }

    /** {@code values[offset .. offset + rows * rowSize)} as a float32 tensor {@code [rows, sampleShape...]}. */
    public static Tensor floats(BufferAllocator allocator, float[] values, int offset, int rows, long[] sampleShape) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = rows;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, shape);
        int n = Math.toIntExact(t.size());
        t.buffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, offset, n);
        return t;
    }

    /** A float64 tensor {@code [values.length]}. */
    public static Tensor doubles(BufferAllocator allocator, double[] values, int offset, int length) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT64, length);
        t.buffer().nioBuffer(0, length * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(values, offset, length);
        return t;
    }

    /** An INT32 tensor {@code [length]}. */
    public static Tensor ints(BufferAllocator allocator, int[] values, int offset, int length) {
        Tensor t = Tensor.allocate(allocator, DType.INT32, length);
        t.buffer().nioBuffer(0, length * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values, offset, length);
        return t;
    }

    /** Copies a float32 tensor's values into {@code out[offset ..]}; other dtypes are converted. */
    public static void read(Tensor t, float[] out, int offset) {
        int n = Math.toIntExact(t.size());
        if (t.dtype() == DType.FLOAT32) {
            t.buffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, offset, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[offset + i] = (float) t.getDouble(i);
            }
        }
    }

    /** A tensor's values as floats. */
    public static float[] toFloats(Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        read(t, out, 0);
        return out;
    }

    /** A tensor's values as ints (labels). */
    public static int[] toInts(Tensor t) {
        int n = Math.toIntExact(t.size());
        int[] out = new int[n];
        if (t.dtype() == DType.INT32) {
            t.buffer().nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                double v = t.getDouble(i);
                if (v != Math.rint(v)) {
                    throw new IllegalArgumentException("labels must be integers, found " + v + " at " + i);
                }
                out[i] = (int) v;
            }
        }
        return out;
    }
}
