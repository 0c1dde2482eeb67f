package org.genbench.sampler.gibbs.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.plot.Landscapes;
import org.genbench.plot.Plots;

/** chains.png (image data) and trajectories.png (2-D data). */
final class Pictures {
    static final int GRID = 120;

    private Pictures() {
    }

    static void write(Snapshots s, Model model, Optional<Energy> energy, Path dir, BufferAllocator allocator)
            throws IOException {
        if (s.image && !s.frames.isEmpty()) {
            long[] shape = model.data().sampleShape();
            int height = (int) shape[shape.length - 2];
            int width = (int) shape[shape.length - 1];
            int shown = s.frames.firstEntry().getValue().length / s.d;
            int columns = s.frames.size();
            double[] pixels = new double[shown * columns * s.d];
            List<String> rows = new ArrayList<>();
            int col = 0;
            for (Map.Entry<Long, double[]> f : s.frames.entrySet()) {
                for (int c = 0; c < shown; c++) {
                    System.arraycopy(f.getValue(), c * s.d, pixels, (c * columns + col) * s.d, s.d);
                }
                col++;
            }
            for (int c = 0; c < shown; c++) {
                rows.add("chain " + c);
            }
            Plots.writePng(Plots.imageGrid(pixels, shown * columns, height, width, columns, rows,
                    model.data().name() + ": Gibbs chains, E[v | h] after sweeps " + s.frames.keySet()),
                    dir.resolve("chains.png"));
        }
        if (s.plane) {
            List<double[]> paths = new ArrayList<>();
            for (List<Double> p : s.paths) {
                paths.add(p.stream().mapToDouble(Double::doubleValue).toArray());
            }
            double[] cloud = s.cloud.stream().mapToDouble(Double::doubleValue).toArray();
            double[] all = new double[cloud.length + paths.stream().mapToInt(p -> p.length).sum()];
            System.arraycopy(cloud, 0, all, 0, cloud.length);
            int o = cloud.length;
            for (double[] p : paths) {
                System.arraycopy(p, 0, all, o, p.length);
                o += p.length;
            }
            double[] box = Landscapes.box(all);
            double[] grid = energy.isPresent() ? Landscapes.energyOnGrid(energy.get(), box, GRID, allocator)
                    : new double[GRID * GRID];
            // Lines: the first sweeps of a few chains; dots: every chain's state at evenly spaced sweeps.
            Plots.writePng(Plots.landscape(grid, GRID, box, paths, cloud, model.data().name()
                    + ": Gibbs chains, " + Snapshots.PATH_SWEEPS + " sweeps"), dir.resolve("trajectories.png"));
        }
    }
}
