package org.genbench.trainer.adversarial.internal;

import java.util.Map;
import org.genbench.api.InMemoryDataset;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * The first {@code n} Fashion-MNIST training images (Debian's dataset-fashion-mnist IDX files) as float32
 * {@code [n, 1, 28, 28]} in [0, 1] with INT32 labels: the benchmark's data, read the way the PyTorch script reads it.
 */
final class FashionMnistFiles {
    static final Path DIR = Path.of(System.getProperty("fashion.mnist.dir", "/usr/share/datasets/fashion-mnist"));
    static final DataInfo INFO = new DataInfo("fashion-mnist-files", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 10, null);

    private FashionMnistFiles() {
    }

    /** The first {@code n} training images and labels as a dataset that owns them. */
    static InMemoryDataset load(int n, BufferAllocator allocator) throws IOException {
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 28, 28);
        Tensor y = Tensor.allocate(allocator, DType.INT32, n);
        try (DataInputStream images = open("train-images-idx3-ubyte.gz", 2051, 16);
             DataInputStream labels = open("train-labels-idx1-ubyte.gz", 2049, 8)) {
            byte[] pixels = new byte[784];
            for (int i = 0; i < n; i++) {
                images.readFully(pixels);
                for (int p = 0; p < 784; p++) {
                    x.buffer().setFloat((784L * i + p) * 4, (pixels[p] & 0xff) / 255f);
                }
                y.buffer().setInt(4L * i, labels.readUnsignedByte());
            }
        } catch (IOException | RuntimeException e) {
            x.close();
            y.close();
            throw e;
        }
        return new InMemoryDataset(INFO, Map.of("train", Batch.of(x, y)));
    }

    static boolean available() {
        return Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz"));
    }

    private static DataInputStream open(String name, int magic, int header) throws IOException {
        DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(DIR.resolve(name)), 1 << 16));
        int m = in.readInt();
        if (m != magic) {
            in.close();
            throw new IOException(name + ": magic " + m + ", expected " + magic);
        }
        in.skipNBytes(header - 4);
        return in;
    }

}
