package org.genbench.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jArrowTest {
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if anything leaked
    }

    @Test
    void viewSharesMemoryWithTheTensor() {
        try (Tensor t = Tensor.allocate(allocator, DType.FLOAT32, 3, 2)) {
            t.setDouble(5, 7.0);
            INDArray a = Nd4jArrow.view(t);
            assertArrayEquals(new long[] {3, 2}, a.shape());
            assertEquals(7.0, a.getDouble(2, 1));
            a.putScalar(0, 1, 42.0);
            assertEquals(42.0, t.getDouble(1), "a write through the view must land in the Arrow buffer");
            assertEquals(t.buffer().memoryAddress(), a.data().address());
        }
    }

    @Test
    void toTensorLendsNd4jMemoryToArrow() {
        INDArray a = Nd4j.createFromArray(new double[] {1, 2, 3, 4, 5, 6}).reshape(2, 3);
        try (Tensor t = Nd4jArrow.toTensor(a, allocator)) {
            assertEquals(DType.FLOAT64, t.dtype());
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertEquals(a.data().address(), t.buffer().memoryAddress());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.toDoubleArray());
        }
    }

    @Test
    void viewsOfNd4jArraysAreMadeContiguous() {
        INDArray a = Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6}).reshape(2, 3).transpose();
        try (Tensor t = Nd4jArrow.toTensor(a, allocator)) {
            assertArrayEquals(new long[] {3, 2}, t.shape());
            assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, t.toDoubleArray());
        }
    }

    @Test
    void ipcRoundTripKeepsShapesTypesAndValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.arrow");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("x", Tensor.ofDoubles(allocator, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 2, 2));
        Tensor label = Tensor.allocate(allocator, DType.INT32, 3);
        label.setDouble(2, 9);
        in.put("label", label);
        ArrowIpc.write(file, in);
        Map<String, Tensor> out = ArrowIpc.read(file, allocator);
        try {
            assertArrayEquals(new long[] {3, 2, 2}, out.get("x").shape());
            assertEquals(DType.FLOAT64, out.get("x").dtype());
            assertArrayEquals(in.get("x").toDoubleArray(), out.get("x").toDoubleArray());
            assertEquals(DType.INT32, out.get("label").dtype());
            assertArrayEquals(new double[] {0, 0, 9}, out.get("label").toDoubleArray());
        } finally {
            in.values().forEach(Tensor::close);
            out.values().forEach(Tensor::close);
        }
    }
}
