package org.genbench.eval.fid.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.numerics.FrechetDistance;
import org.genbench.vision.Dl4jFeatureNetwork;
import org.genbench.vision.FashionMnistIdx;
import org.genbench.tensor.ArrowIpc;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * FID of image files made outside a run (a PyTorch twin's samples, a run's samples file), with the default feature
 * network and the protocol a run uses: the first {@code fid.real} (default 10000) Fashion-MNIST test images against the
 * first {@code fid.n} (default 1000) images of each file. Files: Arrow IPC with column {@code x} (a run's
 * {@code samples/<sampler>.arrow}) or raw little-endian float32 ({@code .f32}) of 784 values per image in [0, 1].
 * Prints {@code fid <file> <value> n_real=<n> n_generated=<m> network_sha256=<hash>}; bench/ddpm_vs_torch.sh passes the
 * files in {@code -Dfid.files=a,b}.
 */
@Tag("benchmark")
class SamplesFileFidBenchmark {
    @Test
    void fidOfFiles() throws IOException {
        String files = System.getProperty("fid.files");
        if (files == null || files.isBlank()) {
            System.out.println("fid: no -Dfid.files given");
            return;
        }
        int nReal = Integer.getInteger("fid.real", 10_000);
        int n = Integer.getInteger("fid.n", 1000);
        FidEvaluator.Config config = new FidEvaluator.Config(null, null, null, null, null, null);
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build())) {
            Dl4jFeatureNetwork network = (Dl4jFeatureNetwork) new FidEvaluator().network(config);
            FashionMnistIdx.Split test = FashionMnistIdx.read(Path.of(config.fashionMnistDir()), "t10k");
            FrechetDistance.Statistics real;
            try (Tensor images = Tensor.allocate(allocator, DType.FLOAT32, nReal, 1, 28, 28)) {
                for (int i = 0; i < nReal * 784; i++) {
                    images.buffer().setFloat(4L * i, (test.pixels()[i] & 0xff) / 255f);
                }
                real = statistics(network, images);
            }
            for (String f : files.split(",")) {
                Path file = Path.of(f.trim());
                try (Tensor images = read(file, n, allocator)) {
                    double fid = FrechetDistance.distance(real, statistics(network, images)).value();
                    System.out.printf("fid %s %.4f n_real=%d n_generated=%d network_sha256=%s%n", file, fid, nReal,
                            images.rows(), network.sha256());
                }
            }
        }
    }

    private static FrechetDistance.Statistics statistics(Dl4jFeatureNetwork network, Tensor images) {
        try (Tensor features = network.features(images)) {
            return FrechetDistance.statistics(org.genbench.tensor.Nd4jArrow.view(features));
        }
    }

    private static Tensor read(Path file, int n, BufferAllocator allocator) throws IOException {
        if (file.toString().endsWith(".f32")) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            int rows = Math.min(n, b.remaining() / (4 * 784));
            Tensor t = Tensor.allocate(allocator, DType.FLOAT32, rows, 1, 28, 28);
            for (int i = 0; i < rows * 784; i++) {
                t.buffer().setFloat(4L * i, b.getFloat());
            }
            return t;
        }
        Map<String, Tensor> columns = ArrowIpc.read(file, allocator);
        try {
            Tensor x = columns.get("x");
            int rows = (int) Math.min(n, x.rows());
            Tensor t = Tensor.allocate(allocator, DType.FLOAT32, rows, 1, 28, 28);
            for (int i = 0; i < rows * 784; i++) {
                t.buffer().setFloat(4L * i, (float) x.getDouble(i));
            }
            return t;
        } finally {
            columns.values().forEach(Tensor::close);
        }
    }
}
