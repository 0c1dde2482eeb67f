package org.genbench.trainer.cd.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.DataInfo;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.plot.Plots;

/** What only this trainer draws: the first layer's filters. */
final class Pictures {
    static final int MAX_FILTERS = 100;

    private Pictures() {
    }

    /**
     * {@code filters.png}: for image-shaped data, each hidden unit's weights on the pixels as an image, mid grey at 0,
     * scaled per filter by its largest magnitude. The weights are read through the conditionals as the change of
     * the hidden field per unit of each pixel, a(e_i) - a(0), which for an RBM is W_i / sigma exactly.
     */
    static void filters(BlockGibbs gibbs, DataInfo info, Path dir, BufferAllocator allocator) throws IOException {
        long[] shape = info.sampleShape();
        if (shape.length < 2) {
            return;
        }
        int height = (int) shape[shape.length - 2];
        int width = (int) shape[shape.length - 1];
        int d = Math.toIntExact(info.dimension());
        if ((long) height * width != d) {
            return;
        }
        int hidden = gibbs.hiddenUnits();
        int shown = Math.min(hidden, MAX_FILTERS);
        double[] identity = new double[(d + 1) * d];
        for (int i = 0; i < d; i++) {
            identity[(i + 1) * d + i] = 1; // row 0 stays zero
        }
        long[] batch = new long[shape.length + 1];
        batch[0] = d + 1;
        System.arraycopy(shape, 0, batch, 1, shape.length);
        double[] a;
        try (Tensor x = Tensor.of(allocator, DType.FLOAT64, identity, batch); Tensor field = gibbs.hiddenField(x)) {
            a = field.toDoubleArray();
        }
        double[] pixels = new double[shown * d];
        for (int j = 0; j < shown; j++) {
            double max = 0;
            for (int i = 0; i < d; i++) {
                max = Math.max(max, Math.abs(a[(i + 1) * hidden + j] - a[j]));
            }
            for (int i = 0; i < d; i++) {
                double w = a[(i + 1) * hidden + j] - a[j];
                pixels[j * d + i] = max > 0 ? 0.5 + 0.5 * w / max : 0.5;
            }
        }
        Plots.writePng(Plots.imageGrid(pixels, shown, height, width, 10, null, info.name()
                + ": first-layer filters (weights per hidden unit, grey = 0, each scaled to its largest)"),
                dir.resolve("filters.png"));
    }
}
