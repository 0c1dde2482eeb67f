package org.genbench.trainer.adversarial.internal;

import java.util.Map;
import org.genbench.api.InMemoryDataset;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * The eight-Gaussians toy set as the toy bundle defines it (FFJORD's): centres on the circle of radius 2 sqrt 2 at
 * multiples of 45 degrees, standard deviation 0.5 / sqrt 2; written here so the trainer's tests need only the api.
 */
final class EightGaussians {
    static final double RADIUS = 4 / Math.sqrt(2);
    static final double SD = 0.5 / Math.sqrt(2);
    static final DataInfo INFO = new DataInfo("eight-gaussians", new long[] {2}, DataInfo.CONTINUOUS, 0, null);

    private EightGaussians() {
    }

    /** {@code n} training points; the dataset owns them. */
    static InMemoryDataset create(int n, Rng rng, BufferAllocator allocator) {
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        for (int i = 0; i < n; i++) {
            double[] c = centre(rng.nextInt(8));
            x.setDouble(2L * i, c[0] + SD * rng.nextGaussian());
            x.setDouble(2L * i + 1, c[1] + SD * rng.nextGaussian());
        }
        return new InMemoryDataset(INFO, Map.of("train", Batch.of(x)));
    }

    static double[] centre(int k) {
        double angle = k * Math.PI / 4;
        return new double[] {RADIUS * Math.cos(angle), RADIUS * Math.sin(angle)};
    }

    /** {fraction of samples within 3 sd of their nearest centre, modes holding at least 2% of the samples}. */
    static double[] quality(Tensor samples) {
        int n = (int) samples.rows();
        int[] counts = new int[8];
        int near = 0;
        for (int i = 0; i < n; i++) {
            double x = samples.get(i, 0);
            double y = samples.get(i, 1);
            int best = 0;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < 8; k++) {
                double[] c = centre(k);
                double d = Math.hypot(x - c[0], y - c[1]);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            if (bestD < 3 * SD) {
                near++;
                counts[best]++;
            }
        }
        int covered = 0;
        for (int c : counts) {
            if (c >= 0.02 * n) {
                covered++;
            }
        }
        return new double[] {near / (double) n, covered};
    }

}
