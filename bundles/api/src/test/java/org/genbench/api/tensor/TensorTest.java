package org.genbench.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** The bulk copies against the element accessors, on whole tensors and on row slices (views at an offset). */
class TensorTest {
    @Test
    void bulkCopiesAgreeWithElementAccessOnEveryTypeAndOnSlices() {
        try (BufferAllocator allocator = new RootAllocator()) {
            double[] values = {0.5, -1.25, 3, 1e-3, 7, 255, 2, -4};
            for (DType type : DType.values()) {
                try (Tensor t = Tensor.of(allocator, type, values, 4, 2); Tensor rows = t.slice(1, 2)) {
                    double[] all = t.toDoubleArray();
                    for (int i = 0; i < values.length; i++) {
                        assertEquals(t.getDouble(i), all[i], type.toString());
                    }
                    double[] part = rows.toDoubleArray();
                    assertArrayEquals(java.util.Arrays.copyOfRange(all, 2, 6), part, type + " slice");
                    rows.setDoubles(new double[] {9, 8, 7, 6});
                    assertEquals(9, t.getDouble(2), type + " a slice writes through to its parent");
                    assertEquals(6, t.getDouble(5));
                    assertEquals(values[6], t.getDouble(6), 1e-6, type + " and nothing past it");
                }
            }
            try (Tensor f = Tensor.of(allocator, DType.FLOAT32, values, 8)) {
                assertEquals((float) 1e-3, f.toDoubleArray()[3], 0);
                assertThrows(IllegalArgumentException.class, () -> f.setDoubles(new double[3]));
            }
        }
    }
}
