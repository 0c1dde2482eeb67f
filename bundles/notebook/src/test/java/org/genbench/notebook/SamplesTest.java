package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {
    @TempDir
    Path dir;

    /** Two record batches of a FixedSizeList<float64>[2] column with genbench's shape metadata, as a run writes. */
    @Test
    void readsEveryBatchOfAFixedSizeListColumnWithItsShape() throws Exception {
        Path file = dir.resolve("mala.arrow");
        Field item = new Field("item", new FieldType(false, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), null), null);
        Field x = new Field("x", new FieldType(false, new ArrowType.FixedSizeList(2), null, Map.of("genbench.shape", "[3,2]")), List.of(item));
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
             VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of(x)), allocator);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, ch)) {
            writer.start();
            FixedSizeListVector list = (FixedSizeListVector) root.getVector("x");
            Float8Vector values = (Float8Vector) list.getDataVector();
            double[][] batches = {{1.5, -2.0, 3.25, 4.0}, {-0.5, 0.125}};
            for (double[] b : batches) {
                list.allocateNew();
                for (int i = 0; i < b.length; i++) {
                    values.setSafe(i, b[i]);
                }
                for (int r = 0; r < b.length / 2; r++) {
                    list.setNotNull(r);
                }
                values.setValueCount(b.length);
                root.setRowCount(b.length / 2);
                writer.writeBatch();
            }
            writer.end();
        }
        Samples s = Samples.read(file, "x");
        assertEquals("mala", s.name());
        assertArrayEquals(new long[] {3, 2}, s.shape());
        assertArrayEquals(new double[] {1.5, -2.0, 3.25, 4.0, -0.5, 0.125}, s.values());
        assertArrayEquals(new double[] {-2.0, 4.0, 0.125}, s.column(1));
        assertEquals(3.25, s.get(1, 0));
        assertEquals(List.of("x0", "x1"), s.table().columns());
        assertEquals((1.5 + 3.25 - 0.5) / 3, s.describe().doubles("mean")[0], 1e-12);
    }
}
