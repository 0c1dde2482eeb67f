package org.genbench.faults.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** An isotropic Gaussian; {@link #nudge} lets the faulty trainer change it so checkpoints differ by step. */
final class FixedGaussian implements Model, DirectSampling, LogDensity, Score, Energy, Persistent {
    private final DataInfo data;
    private final int d;
    private double mean;
    private final double scale;

    FixedGaussian(DataInfo data, double mean, double scale) {
        this.data = data;
        this.d = Math.toIntExact(data.dimension());
        this.mean = mean;
        this.scale = scale;
    }

    void nudge(double delta) {
        mean += delta;
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return 2;
    }

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        long[] shape = new long[data.sampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(data.sampleShape(), 0, shape, 1, shape.length - 1);
        Tensor out = Tensor.allocate(allocator, DType.FLOAT32, shape);
        for (long i = 0; i < (long) n * d; i++) {
            out.setDouble(i, mean + scale * rng.nextGaussian());
        }
        return out;
    }

    @Override
    public Tensor logDensity(Tensor x) {
        Tensor e = energy(x);
        double norm = d * (Math.log(scale) + 0.5 * Math.log(2 * Math.PI));
        for (long i = 0; i < e.size(); i++) {
            e.setDouble(i, -e.getDouble(i) - norm);
        }
        return e;
    }

    @Override
    public Tensor energy(Tensor x) {
        int n = Math.toIntExact(x.rows());
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double z = (x.getDouble((long) i * d + j) - mean) / scale;
                s += z * z;
            }
            out.setDouble(i, 0.5 * s);
        }
        return out;
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.shape());
        for (long i = 0; i < x.size(); i++) {
            out.setDouble(i, (x.getDouble(i) - mean) / (scale * scale));
        }
        return out;
    }

    @Override
    public Tensor score(Tensor x) {
        Tensor g = energyGradient(x);
        for (long i = 0; i < g.size(); i++) {
            g.setDouble(i, -g.getDouble(i));
        }
        return g;
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.writeString(directory.resolve("fixed-gaussian.txt"), mean + " " + scale + "\n");
    }

    @Override
    public void load(Path directory) throws IOException {
        Path f = directory.resolve("fixed-gaussian.txt");
        if (!Files.isRegularFile(f)) {
            throw new IOException("no fixed-gaussian.txt in " + directory);
        }
        mean = Double.parseDouble(Files.readString(f).trim().split(" ")[0]);
    }
}
