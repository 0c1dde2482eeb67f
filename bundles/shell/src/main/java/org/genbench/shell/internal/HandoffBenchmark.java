package org.genbench.shell.internal;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code genbench bench-handoff}: the cost of handing a tensor from this bundle (the producer, which allocated
 * it in Arrow memory) to the tensor bundle, which makes it an ND4J array for a consumer. No byte is copied, so
 * the time must not grow with the size; a copy of 1 GB would take on the order of 100 ms.
 */
final class HandoffBenchmark {
    private HandoffBenchmark() {
    }

    static int run(PrintStream out) {
        long[] sizes = {1L << 20, 16L << 20, 256L << 20, 1L << 30};
        out.println("size_bytes  median_handoff_us  min_us  (Arrow tensor -> ND4J view across bundles, 25 repeats)");
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build())) {
            for (long bytes : sizes) {
                try (Tensor t = Tensor.allocate(allocator, DType.FLOAT32, bytes / 4)) {
                    t.setDouble(t.size() - 1, 3.0);
                    double[] us = new double[25];
                    for (int i = 0; i < us.length; i++) {
                        long t0 = System.nanoTime();
                        INDArray view = Nd4jArrow.view(t);
                        double last = view.getDouble(view.length() - 1); // touch the far end of the buffer
                        us[i] = (System.nanoTime() - t0) / 1e3;
                        if (last != 3.0) {
                            throw new IllegalStateException("the view does not see the producer's memory");
                        }
                    }
                    Arrays.sort(us);
                    out.println(String.format(Locale.ROOT, "%10d  %17.1f  %6.1f", bytes, us[us.length / 2], us[0]));
                }
            }
        }
        return 0;
    }
}
