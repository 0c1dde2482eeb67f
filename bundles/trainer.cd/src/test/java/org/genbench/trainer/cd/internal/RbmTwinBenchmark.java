package org.genbench.trainer.cd.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.testing.Required;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The numpy twin at Fashion-MNIST's size (bench/rbm_twin.sh): 784 visible x 500 hidden, batch 100, 100 updates of
 * CD-1, CD-25 and PCD on the first 10000 training images thresholded at 0.5; prints the largest difference in W, b, c.
 */
@Tag("benchmark")
class RbmTwinBenchmark {
    static final Path IMAGES = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

    @Test
    void fashionMnist784x500() throws Exception {
        Required.fashionMnist();
        int n = 10_000;
        double[] x = new double[n * 784];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(IMAGES)))) {
            in.skipNBytes(16);
            byte[] b = in.readNBytes(n * 784);
            for (int i = 0; i < b.length; i++) {
                x[i] = (b[i] & 0xff) / 255.0 >= 0.5 ? 1 : 0;
            }
        }
        Path dir = Path.of("target/rbm-twin");
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int[] variant : new int[][] {{0, 1}, {0, 25}, {1, 1}}) {
                boolean persistent = variant[0] == 1;
                String name = (persistent ? "pcd" : "cd") + variant[1];
                double diff = RbmTwinTest.run(x, n, new long[] {1, 28, 28}, 500, persistent, variant[1], 100,
                        dir.resolve(name), allocator);
                System.out.printf("RbmTwinBenchmark %s: 784 x 500, 100 updates, largest |java - numpy| = %.3g%n", name,
                        diff);
                assertTrue(diff < 1e-4, name + ": " + diff);
            }
        }
    }
}
