package org.genbench.model.gmm.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** Small builders shared by this module's tests. */
final class Fixtures {
    private Fixtures() {
    }

    static DataInfo vectors(int d) {
        return new DataInfo("test-" + d + "d", new long[] {d}, DataInfo.CONTINUOUS, 0, null);
    }

    static GmmFamily.Config config(int k) {
        return new GmmFamily.Config(k, null, null, null, null);
    }

    static Tensor matrix(BufferAllocator allocator, double[][] rows) {
        return matrix(allocator, rows, DType.FLOAT64);
    }

    static Tensor matrix(BufferAllocator allocator, double[][] rows, DType dtype) {
        int d = rows[0].length;
        Tensor t = Tensor.allocate(allocator, dtype, rows.length, d);
        for (int i = 0; i < rows.length; i++) {
            for (int a = 0; a < d; a++) {
                t.setDouble((long) i * d + a, rows[i][a]);
            }
        }
        return t;
    }

    static double[][] rows(Tensor t) {
        int n = (int) t.rows();
        int d = (int) t.rowSize();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                out[i][a] = t.get(i, a);
            }
        }
        return out;
    }

    /** A 2-D mixture of three overlapping components, used by several tests. */
    static GmmModel threeComponents2d() {
        return GmmModel.fromParameters(config(3), vectors(2),
                new double[] {0.5, 0.3, 0.2},
                new double[][] {{0, 0}, {2, 1}, {-1.5, 2}},
                new double[][][] {
                        {{1.0, 0.3}, {0.3, 0.5}},
                        {{0.4, -0.1}, {-0.1, 0.8}},
                        {{0.6, 0.0}, {0.0, 0.2}}});
    }
}
