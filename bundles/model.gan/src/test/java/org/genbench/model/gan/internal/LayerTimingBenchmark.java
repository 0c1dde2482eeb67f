package org.genbench.model.gan.internal;

import java.util.List;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Milliseconds per forward and backward of each DCGAN layer at the benchmark's shapes: where a step's time goes. */
@Tag("benchmark")
class LayerTimingBenchmark {
    @Test
    void dcganLayers() {
        time("D conv1 1->64 28->14 (b=128)", new Layers.Conv(1, 64, 4, 2, 1, false, 0.1), 128, 1, 28, 28);
        time("D conv2 64->128 14->7 (b=128)", new Layers.Conv(64, 128, 4, 2, 1, false, 0.1), 128, 64, 14, 14);
        time("G up1 128->64 7->14 (b=64)", new Layers.Conv(128, 64, 4, 2, 1, true, 0.1), 64, 128, 7, 7);
        time("G up2 64->1 14->28 (b=64)", new Layers.Conv(64, 1, 4, 2, 1, true, 0.1), 64, 64, 14, 14);
        time("D dense 6272->1 (b=128)", new Layers.Dense(6272, 1, 0.1), 128, 6272);
        time("G dense 64->6272 (b=64)", new Layers.Dense(64, 6272, 0.1), 64, 64);
        time("lrelu 128x64x14x14", new Layers.LeakyRelu(0.2), 128, 64, 14, 14);
    }

    @Test
    void gemmIm2colAndLayoutCopies() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 6272, 1024);
        INDArray b = Nd4j.rand(DataType.FLOAT, 1024, 128);
        INDArray c = Nd4j.create(DataType.FLOAT, 6272, 128);
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double s = (System.nanoTime() - t0) / 1e9 / 10;
        System.out.printf("gemm 6272x1024x128: %.2f ms, %.1f GFLOPS%n", s * 1e3, 2.0 * 6272 * 1024 * 128 / s / 1e9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 128, 64, 14, 14);
        INDArray cols = Nd4j.create(DataType.FLOAT, 128, 64, 4, 4, 7, 7);
        long t1 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(cols)
                    .addIntegerArguments(4, 4, 2, 2, 1, 1, 1, 1, 0).addFloatingPointArguments(0.0).build());
        }
        System.out.printf("im2col 128x64x14x14 k4s2: %.2f ms%n", (System.nanoTime() - t1) / 1e6 / 10);
        long t2 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            cols.permute(0, 4, 5, 1, 2, 3).dup('c');
        }
        System.out.printf("permute+dup of cols: %.2f ms%n", (System.nanoTime() - t2) / 1e6 / 10);
        INDArray buf = Nd4j.create(DataType.FLOAT, 64, 4, 4, 128, 7, 7);
        INDArray permuted = buf.permute(3, 0, 1, 2, 4, 5);
        long t3 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(permuted)
                    .addIntegerArguments(4, 4, 2, 2, 1, 1, 1, 1, 0).addFloatingPointArguments(0.0).build());
        }
        System.out.printf("im2col into a permuted view: %.2f ms, same values: %s%n", (System.nanoTime() - t3) / 1e6 / 10,
                permuted.equals(cols));
        INDArray y = Nd4j.rand(DataType.FLOAT, 128, 128, 7, 7);
        INDArray target = Nd4j.createUninitialized(DataType.FLOAT, 128, 128, 7, 7);
        long t4 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            target.permute(1, 0, 2, 3).assign(y);
        }
        System.out.printf("assign 800K into a permuted view: %.2f ms%n", (System.nanoTime() - t4) / 1e6 / 10);
        long t5 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            y.permute(1, 0, 2, 3).dup('c');
        }
        System.out.printf("permute+dup 800K: %.2f ms%n", (System.nanoTime() - t5) / 1e6 / 10);
    }

    private static void time(String name, Layers.Layer layer, long... shape) {
        Network net = new Network(List.of(layer));
        net.init(new Rng(1));
        INDArray x = Nd4j.rand(DataType.FLOAT, shape);
        INDArray y = net.forward(x);
        INDArray g = Nd4j.rand(DataType.FLOAT, y.shape());
        int reps = 20;
        for (int i = 0; i < 3; i++) {
            net.forward(x);
            net.backward(g, true, true);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            net.forward(x);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            net.backward(g, true, true);
        }
        long t2 = System.nanoTime();
        System.out.printf("%-34s forward %7.2f ms  backward %7.2f ms%n", name, (t1 - t0) / 1e6 / reps, (t2 - t1) / 1e6 / reps);
    }
}
