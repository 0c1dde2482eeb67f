package org.genbench.data.csv.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
    /** Five iris rows; its sha256 is what coreutils' sha256sum prints for these bytes. */
    static final String IRIS = "sepal,petal,species\n5.1,1.4,setosa\n4.9,1.5,setosa\n6.3,4.9,virginica\n"
            + "5.8,4.0,versicolor\n7.1,5.9,virginica\n";
    static final String IRIS_SHA256 = "16430407bf3cc554fa236a6e8ccc642ca08d89714d04bfb6305faf110a897b6f";

    @TempDir
    Path workspace;
    BufferAllocator allocator;
    CsvDataset provider;

    @BeforeEach
    void open() {
        // Checks on close that a test (failed open included) freed every buffer.
        allocator = new RootAllocator();
        provider = new CsvDataset(workspace);
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private Path write(String name, String text) throws IOException {
        Path p = workspace.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    private Dataset open(CsvDataset.Config c, long seed) throws IOException {
        return provider.open(c, new TestRunContext(seed, allocator));
    }

    private static CsvDataset.Config config(String path, Object label, List<Object> columns) {
        return new CsvDataset.Config(path, null, null, null, null, null, columns, label, null, null, null);
    }

    @Test
    void readsFeaturesAndLabelsAndSplitsWithTheSeed() throws IOException {
        write("data/iris.csv", IRIS);
        CsvDataset.Config c = config("data/iris.csv", "species", null);
        try (Dataset d = open(c, 7)) {
            DataInfo info = d.info();
            assertEquals("iris.csv", info.name());
            assertArrayEquals(new long[] {2}, info.sampleShape());
            assertEquals(3, info.numClasses(), "setosa, versicolor, virginica");
            assertEquals(IRIS_SHA256, info.checksum(), "the file's sha256, as sha256sum prints it");
            Tensor train = d.split("train").x();
            Tensor test = d.split("test").x();
            assertEquals(DType.FLOAT64, train.dtype());
            assertEquals(4, train.rows(), "round(5 * 0.8)");
            assertEquals(1, test.rows());
            // Every row appears once, in one split, with its label (classes numbered in sorted order).
            List<String> seen = new ArrayList<>();
            for (String split : List.of("train", "test")) {
                Tensor x = d.split(split).x();
                Tensor y = d.split(split).label().orElseThrow();
                for (int i = 0; i < x.rows(); i++) {
                    seen.add(x.get(i, 0) + "," + x.get(i, 1) + "," + (int) y.getDouble(i));
                }
            }
            seen.sort(null);
            assertEquals(List.of("4.9,1.5,0", "5.1,1.4,0", "5.8,4.0,1", "6.3,4.9,2", "7.1,5.9,2"), seen);
        }
        try (Dataset a = open(c, 7); Dataset b = open(c, 7); Dataset other = open(c, 8)) {
            assertArrayEquals(a.split("test").x().toDoubleArray(), b.split("test").x().toDoubleArray(), "same seed");
            boolean differs = false;
            for (long seed = 8; seed < 20 && !differs; seed++) {
                try (Dataset o = open(c, seed)) {
                    differs = !Arrays.equals(a.split("test").x().toDoubleArray(), o.split("test").x().toDoubleArray());
                }
            }
            assertTrue(differs, "another seed draws another test row");
        }
    }

    @Test
    void honoursExplicitTrainAndTestFilesAndSelectedColumns() throws IOException {
        write("train.tsv", "a\tb\tc\n1\t2\t3\n4\t5\t6\n7\t8\t9\n");
        write("test.tsv", "a\tb\tc\n10\t11\t12\n");
        CsvDataset.Config c = new CsvDataset.Config(null, "train.tsv", "test.tsv", null, null, null,
                List.of("c", 0), null, null, "float32", null);
        try (Dataset d = open(c, 1)) {
            assertEquals(DType.FLOAT32, d.split("train").x().dtype());
            assertArrayEquals(new double[] {3, 1, 6, 4, 9, 7}, d.split("train").x().toDoubleArray());
            assertArrayEquals(new double[] {12, 10}, d.split("test").x().toDoubleArray());
            assertTrue(d.split("train").label().isEmpty());
            assertEquals(0, d.info().numClasses());
            assertEquals(64, d.info().checksum().length());
        }
    }

    @Test
    void quotedFieldsNoHeaderAndAShape() throws IOException {
        write("q.csv", "\"1\",2,3,4,\"x, y\"\n5,6,7,8,\"z\"\"\"\n");
        CsvDataset.Config c = new CsvDataset.Config("q.csv", null, null, 0.5, null, false, List.of(0, 1, 2, 3), 4,
                List.of(2, 2), null, null);
        try (Dataset d = open(c, 3)) {
            assertArrayEquals(new long[] {2, 2}, d.info().sampleShape());
            assertArrayEquals(new long[] {1, 2, 2}, d.split("train").x().shape());
            assertEquals(2, d.info().numClasses(), "'x, y' and 'z\"'");
        }
    }

    @Test
    void aMissingFileNamesTheFieldAndTheResolvedPath() {
        DataFileException e = assertThrows(DataFileException.class, () -> open(config("data/nope.csv", null, null), 1));
        assertTrue(e.getMessage().contains("field 'path': no such file: " + workspace.resolve("data/nope.csv")),
                e.getMessage());
        assertTrue(e.getMessage().contains("resolved against the workspace " + workspace), e.getMessage());
        Path abs = workspace.resolve("elsewhere/x.csv");
        e = assertThrows(DataFileException.class, () -> open(new CsvDataset.Config(null, abs.toString(), "t.csv", null,
                null, null, null, null, null, null, null), 1));
        assertTrue(e.getMessage().contains("field 'train': no such file: " + abs), e.getMessage());
    }

    @Test
    void badContentIsRefusedWithTheLineAndColumnAndNothingLeaks() throws IOException {
        assertBad("a,b\n1,2\n3\n", null, "line 3 has 1 fields, but the header has 2");
        assertBad("a,b\n1,2\n3,abc\n", null, "line 3, column 'b' (1): 'abc' is not a number");
        assertBad("a,b\n1,NaN\n", null, "line 2, column 'b' (1) is NaN; every value must be a finite number");
        assertBad("a,b\n1,-Infinity\n", null, "is -Infinity; every value must be a finite number");
        assertBad("a,b\n1,\n", null, "line 2, column 'b' (1) is empty");
        assertBad("a,b\n1,2f\n", null, "'2f' is not a number");
        assertBad("a,b\n1,\"2\n", null, "line 2 has an unterminated quote");
        assertBad("a,b\n", null, "no data rows after the header");
        assertBad("a,b\n1,2\n", "label", "names column 'label', which the header does not have; columns: [a, b]");
        assertBad("a,b\n1,2\n", "b", "1 row(s) cannot be split into train and test");
    }

    private void assertBad(String text, Object label, String... expected) throws IOException {
        write("bad.csv", text);
        DataFileException e = assertThrows(DataFileException.class, () -> open(config("bad.csv", label, null), 1));
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(workspace.resolve("bad.csv").toString()), "names the file: " + e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory(), "a failed open leaves no Arrow memory behind");
    }

    @Test
    void valuesAKindDoesNotTakeAreRefused() throws IOException {
        write("b.csv", "a,b\n0,1\n1,0.5\n0,0\n");
        CsvDataset.Config c = new CsvDataset.Config("b.csv", null, null, null, null, null, null, null, null, null,
                DataInfo.BINARY);
        DataFileException e = assertThrows(DataFileException.class, () -> open(c, 1));
        assertTrue(e.getMessage().contains("example 1 has 0.5 at position 1, but kind 'binary' takes only 0 and 1"),
                e.getMessage());
        CsvDataset.Config shaped = new CsvDataset.Config("b.csv", null, null, null, null, null, null, null,
                List.of(3), null, null);
        e = assertThrows(DataFileException.class, () -> open(shaped, 1));
        assertTrue(e.getMessage().contains("field 'shape' [3] holds 3 values, but each example has 2"), e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheField() {
        assertRejected(() -> new CsvDataset.Config(null, null, null, null, null, null, null, null, null, null, null),
                "field 'path' is missing");
        assertRejected(() -> new CsvDataset.Config("a.csv", "b.csv", null, null, null, null, null, null, null, null,
                null), "give either 'path' or 'train' and 'test', not both");
        assertRejected(() -> new CsvDataset.Config(null, "b.csv", null, null, null, null, null, null, null, null, null),
                "field 'test' is missing");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, 1.0, null, null, null, null, null, null, null),
                "testFraction must be in (0, 1), was 1.0");
        assertRejected(() -> new CsvDataset.Config(null, "a", "b", 0.3, null, null, null, null, null, null, null),
                "testFraction applies to 'path' only");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, ";;", null, null, null, null, null, null),
                "delimiter must be one character or 'tab'");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, null, false, null, "y", null, null, null),
                "label names column 'y', but header is false");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, null, null, List.of(1.5), null, null,
                null, null), "columns[0] must be a column name (text) or a 0-based index (integer), was 1.5");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, null, null, null, null, List.of(0), null,
                null), "shape must list positive dimensions");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, null, null, null, null, null, "int8",
                null), "dtype must be one of [float32, float64], was 'int8'");
        assertRejected(() -> new CsvDataset.Config("a.csv", null, null, null, null, null, null, null, null, null,
                "real"), "kind must be one of [continuous, binary, discrete], was 'real'");
    }

    @Test
    void isADeclarativeServicesDatasetNamedCsv() throws IOException {
        assertEquals("csv", provider.name());
        try (InputStream in = getClass().getResourceAsStream("/OSGI-INF/" + CsvDataset.class.getName() + ".xml")) {
            assertNotNull(in, "bnd wrote no component description");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("org.genbench.api.DatasetProvider"), xml);
        }
    }

    private static void assertRejected(Executable build, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
