package org.genbench.plot;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Energy;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** What a picture of a 2-D energy needs from a model: a square box around the points, and E on a lattice over it. */
public final class Landscapes {
    private Landscapes() {
    }

    /**
     * {xMin, xMax, yMin, yMax}: a square around the 1%..99% quantiles of the points (interleaved x, y) in each
     * coordinate, padded by a quarter of its side on each side; NaN and infinite points are ignored.
     */
    public static double[] box(double[] xy) {
        double[] xs = Arrays.stream(every(xy, 0)).filter(Double::isFinite).sorted().toArray();
        double[] ys = Arrays.stream(every(xy, 1)).filter(Double::isFinite).sorted().toArray();
        if (xs.length == 0 || ys.length == 0) {
            return new double[] {-3, 3, -3, 3};
        }
        double x0 = xs[(int) (0.01 * (xs.length - 1))];
        double x1 = xs[(int) Math.ceil(0.99 * (xs.length - 1))];
        double y0 = ys[(int) (0.01 * (ys.length - 1))];
        double y1 = ys[(int) Math.ceil(0.99 * (ys.length - 1))];
        double side = Math.max(Math.max(x1 - x0, y1 - y0), 1e-6) * 1.5;
        double cx = (x0 + x1) / 2;
        double cy = (y0 + y1) / 2;
        return new double[] {cx - side / 2, cx + side / 2, cy - side / 2, cy + side / 2};
    }

    /**
     * E at the centres of a {@code grid x grid} lattice over {@code box}, rows from the bottom up: the layout
     * {@link Plots#landscape} takes. One call to the model.
     */
    public static double[] energyOnGrid(Energy energy, double[] box, int grid, BufferAllocator allocator) {
        double[] points = new double[2 * grid * grid];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int k = r * grid + c;
                points[2 * k] = box[0] + (c + 0.5) / grid * (box[1] - box[0]);
                points[2 * k + 1] = box[2] + (r + 0.5) / grid * (box[3] - box[2]);
            }
        }
        try (Tensor x = Tensor.of(allocator, DType.FLOAT64, points, (long) grid * grid, 2);
             Tensor e = energy.energy(x)) {
            return e.toDoubleArray();
        }
    }

    private static double[] every(double[] xy, int offset) {
        double[] out = new double[xy.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = xy[2 * i + offset];
        }
        return out;
    }
}
