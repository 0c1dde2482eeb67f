package org.genbench.data.arrow.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.tensor.ArrowIpc;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowDatasetTest {
    @TempDir
    Path workspace;
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private Dataset whole(String file, List<String> columns, String label, String dtype) throws IOException {
        // The same file as train and test: the test split is the whole file, in order.
        return new ArrowDataset(workspace).open(new ArrowDataset.Config(null, file, file, null, columns, label, null,
                dtype, null), new TestRunContext(1, allocator));
    }

    @Test
    void readsTheFilesGenbenchWritesWithTheirShapeAndLabels() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 6, 1, 2, 2);
             Tensor y = Tensor.allocate(allocator, DType.INT32, 6)) {
            for (int i = 0; i < 24; i++) {
                x.setDouble(i, i * 0.5);
            }
            for (int i = 0; i < 6; i++) {
                y.setDouble(i, i % 4);
            }
            t.put("x", x);
            t.put("label", y);
            ArrowIpc.write(workspace.resolve("own.arrow"), t);
            try (Dataset d = whole("own.arrow", null, null, null)) {
                assertArrayEquals(new long[] {1, 2, 2}, d.info().sampleShape(), "the shape in the field metadata");
                assertEquals(4, d.info().numClasses());
                assertEquals(DType.FLOAT32, d.split("test").x().dtype());
                assertArrayEquals(x.toDoubleArray(), d.split("test").x().toDoubleArray(), 0);
                assertArrayEquals(y.toDoubleArray(), d.split("test").label().orElseThrow().toDoubleArray(), 0);
            }
        }
    }

    /** A table as pandas/pyarrow write one: nullable float64, int32 and string columns, two record batches. */
    private Path plainTable(String name, boolean stream, boolean withNull) throws IOException {
        Path file = workspace.resolve(name);
        try (Float8Vector a = new Float8Vector("a", allocator);
             IntVector b = new IntVector("b", allocator);
             VarCharVector s = new VarCharVector("species", allocator);
             VectorSchemaRoot root = VectorSchemaRoot.of(a, b, s);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowWriter w = stream ? new ArrowStreamWriter(root, null, ch) : new ArrowFileWriter(root, null, ch)) {
            w.start();
            String[] species = {"setosa", "virginica", "setosa", "versicolor", "virginica"};
            for (int batch = 0; batch < 2; batch++) {
                int n = batch == 0 ? 3 : 2;
                a.allocateNew(n);
                b.allocateNew(n);
                s.allocateNew(n);
                for (int i = 0; i < n; i++) {
                    int r = batch * 3 + i;
                    if (withNull && r == 4) {
                        a.setNull(i);
                    } else {
                        a.set(i, r + 0.25);
                    }
                    b.set(i, -r);
                    s.setSafe(i, species[r].getBytes(StandardCharsets.UTF_8));
                }
                root.setRowCount(n);
                w.writeBatch();
            }
            w.end();
        }
        return file;
    }

    @Test
    void readsPlainNumericColumnsInFileAndStreamFormat() throws IOException {
        for (boolean stream : new boolean[] {false, true}) {
            String name = stream ? "plain.arrows" : "plain.feather";
            plainTable(name, stream, false);
            try (Dataset d = whole(name, null, "species", null)) {
                assertEquals(DType.FLOAT32, d.split("test").x().dtype(), "auto: an int column makes float32");
                assertArrayEquals(new double[] {0.25, 0, 1.25, -1, 2.25, -2, 3.25, -3, 4.25, -4},
                        d.split("test").x().toDoubleArray(), 0, name);
                assertArrayEquals(new double[] {0, 2, 0, 1, 2}, d.split("test").label().orElseThrow().toDoubleArray(), 0);
                assertEquals(3, d.info().numClasses());
            }
            try (Dataset d = whole(name, List.of("a"), null, null)) {
                assertEquals(DType.FLOAT64, d.split("test").x().dtype(), "auto keeps float64");
                assertArrayEquals(new long[] {1}, d.info().sampleShape());
            }
        }
    }

    @Test
    void badFilesAreRefusedNamingWhatIsWrongAndNothingLeaks() throws IOException {
        plainTable("nulls.arrow", false, true);
        assertBad("nulls.arrow", null, "column 'a' has a null at row 1");
        plainTable("plain.arrow", false, false);
        assertBad("plain.arrow", List.of("a", "c"), "field 'columns' names column 'c', which the file does not have;"
                + " columns: [a, b, species]");
        assertBad("plain.arrow", List.of("species"), "column 'species' is Utf8, not numbers");
        Files.write(workspace.resolve("v1.feather"), "FEA1xxxxxxxx".getBytes(StandardCharsets.US_ASCII));
        assertBad("v1.feather", null, "a Feather version 1 file");
        Files.writeString(workspace.resolve("text.arrow"), "x,y\n1,2\n");
        assertBad("text.arrow", null, "not an Arrow IPC");
    }

    private void assertBad(String file, List<String> columns, String expected) {
        DataFileException e = assertThrows(DataFileException.class, () -> new ArrowDataset(workspace).open(
                new ArrowDataset.Config(file, null, null, null, columns, null, null, null, null),
                new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(workspace.resolve(file).toString()), e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory(), "nothing half-loaded");
    }
}
