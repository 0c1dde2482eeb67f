package org.genbench.diffusion;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataScaling;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.internal.Arrays32;

/** Between the model's space and the data's: what a reverse process returns, as samples of the data. */
public final class Samples {
    private Samples() {
    }

    /**
     * {@code y} (n examples in the model's space) as a float32 tensor {@code [n, sampleShape...]} of data values, x = (y -
     * shift) / scale, clipped to the data's range where it is bounded (a score sampler's last step can overshoot it).
     */
    public static Tensor toData(float[] y, int n, long[] sampleShape, DataScaling scaling, BufferAllocator allocator) {
        float[] x = toDataValues(y, n * (int) java.util.Arrays.stream(sampleShape).reduce(1, Math::multiplyExact), scaling);
        return Arrays32.floats(allocator, x, 0, n, sampleShape);
    }

    /** The first {@code len} values of y mapped to data values (and clipped where bounded), in a new array. */
    public static float[] toDataValues(float[] y, int len, DataScaling scaling) {
        float[] x = new float[len];
        for (int j = 0; j < len; j++) {
            double v = scaling.bounded() ? scaling.clip(y[j]) : y[j];
            x[j] = (float) scaling.toData(v);
        }
        return x;
    }

    /** Data values (a tensor of any numeric dtype) in the model's space. */
    public static float[] toModel(Tensor x, DataScaling scaling) {
        float[] v = Arrays32.toFloats(x);
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) scaling.toModel(v[j]);
        }
        return v;
    }

    /** A float32 tensor {@code [n, sampleShape...]} holding {@code values} (copied). */
    public static Tensor tensor(float[] values, int n, long[] sampleShape, BufferAllocator allocator) {
        return Arrays32.floats(allocator, values, 0, n, sampleShape);
    }

    /** Labels (INT32 or any integer-valued tensor) as ints. */
    public static int[] labels(Tensor labels) {
        return labels == null ? null : Arrays32.toInts(labels);
    }
}
