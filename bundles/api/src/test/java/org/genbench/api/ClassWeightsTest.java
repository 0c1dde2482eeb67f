package org.genbench.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClassWeightsTest {
    @Test
    void keepsAPrefixOfEachClassInProportionToItsWeight() {
        // 12 rows, labels cycling 0,1,2; row i has x = [i, 10 i]
        try (BufferAllocator a = new RootAllocator()) {
            Tensor x = Tensor.allocate(a, DType.FLOAT32, 12, 2);
            Tensor y = Tensor.allocate(a, DType.INT32, 12);
            for (int i = 0; i < 12; i++) {
                x.setDouble(2L * i, i);
                x.setDouble(2L * i + 1, 10 * i);
                y.setDouble(i, i % 3);
            }
            try (Batch all = Batch.of(x, y);
                 Batch kept = new ClassWeights(List.of(1.0, 0.5, 0.0)).apply(all, a)) {
                // class 0: rows 0,3,6,9 all kept; class 1: rows 1,4,7,10, first 2 kept; class 2: none
                assertArrayEquals(new double[] {0, 1, 3, 4, 6, 9}, column(kept.x(), 0));
                assertArrayEquals(new double[] {0, 10, 30, 40, 60, 90}, column(kept.x(), 1));
                assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, kept.label().orElseThrow().toDoubleArray());
                assertEquals(DType.INT32, kept.label().orElseThrow().dtype());
            }
        }
    }

    @Test
    void weightsAreRelativeToTheLargest() {
        ClassWeights w = new ClassWeights(List.of(0.5, 0.25));
        assertEquals(100, w.kept(0, 100));
        assertEquals(50, w.kept(1, 100));
    }

    @Test
    void badWeightsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClassWeights(Arrays.asList(1.0, 1.5)));
        assertTrue(e.getMessage().contains("classWeights[1] must be in [0, 1], was 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClassWeights(List.of(0.0, 0.0)));
        assertTrue(e.getMessage().contains("at least one weight must be > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClassWeights(List.of(1.0, 1.0)).check(10));
        assertTrue(e.getMessage().contains("one weight per class (10), has 2"), e.getMessage());
    }

    private static double[] column(Tensor t, int c) {
        double[] out = new double[(int) t.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.get(i, c);
        }
        return out;
    }
}
