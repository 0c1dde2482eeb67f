package org.genbench.vision;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * Tensors as flat Java arrays of rows, for the small numerical work evaluators do on heap arrays (classifiers,
 * neighbours): {@code [n, ...]} becomes {@code n * rowSize} values, row-major.
 */
public final class Vectors {
    private Vectors() {
    }

    /** Rows {@code [n, ...]} as float32 values, row-major (a copy). */
    public static float[] floats(Tensor t) {
        int size = Math.toIntExact(t.size());
        float[] out = new float[size];
        if (t.dtype() == DType.FLOAT32 && size > 0) {
            t.buffer().nioBuffer(0, size * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = (float) t.getDouble(i);
            }
        }
        return out;
    }

    /** Rows {@code [n, ...]} as float64 values, row-major (a copy). */
    public static double[] doubles(Tensor t) {
        int size = Math.toIntExact(t.size());
        double[] out = new double[size];
        if (t.dtype() == DType.FLOAT64 && size > 0) {
            t.buffer().nioBuffer(0, size * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        } else if (t.dtype() == DType.FLOAT32 && size > 0) {
            java.nio.FloatBuffer f = t.buffer().nioBuffer(0, size * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < size; i++) {
                out[i] = f.get(i);
            }
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = t.getDouble(i);
            }
        }
        return out;
    }

    /** Class labels (INT32, INT64 or integral floats) as ints, each checked to lie in {@code 0..classes-1}. */
    public static int[] labels(Tensor t, int classes) {
        int n = Math.toIntExact(t.size());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double v = t.getDouble(i);
            if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                throw new IllegalArgumentException("label " + v + " at row " + i + " is not a class in 0.." + (classes - 1));
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** The first {@code n} rows of row-major {@code values} with {@code width} values per row. */
    public static float[] head(float[] values, int width, int n) {
        return Arrays.copyOf(values, n * width);
    }

    /** Rows {@code rows} of row-major {@code values} with {@code width} values per row, in that order. */
    public static float[] gather(float[] values, int width, int[] rows) {
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, rows[i] * width, out, i * width, width);
        }
        return out;
    }

    /** Rows {@code rows} of row-major {@code values} with {@code width} values per row, in that order. */
    public static double[] gather(double[] values, int width, int[] rows) {
        double[] out = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, rows[i] * width, out, i * width, width);
        }
        return out;
    }
}
