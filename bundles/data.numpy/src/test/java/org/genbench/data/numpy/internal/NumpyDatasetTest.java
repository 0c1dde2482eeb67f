package org.genbench.data.numpy.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader against files numpy itself wrote (numpy_fixtures.json, from datasets/reference/numpy_fixtures.py):
 * the values of every dtype and order it takes, and a message for each file it must refuse.
 */
class NumpyDatasetTest {
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

    static JsonNode fixtures() throws IOException {
        try (InputStream in = NumpyDatasetTest.class.getResourceAsStream("/numpy_fixtures.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<String> good() throws IOException {
        List<String> names = new ArrayList<>();
        fixtures().get("cases").forEach(c -> {
            if (!c.has("error")) {
                names.add(c.get("name").asText());
            }
        });
        return names.stream();
    }

    static Stream<String> bad() throws IOException {
        List<String> names = new ArrayList<>();
        fixtures().get("cases").forEach(c -> {
            if (c.has("error")) {
                names.add(c.get("name").asText());
            }
        });
        return names.stream();
    }

    private JsonNode fixture(String name) throws IOException {
        for (JsonNode c : fixtures().get("cases")) {
            if (c.get("name").asText().equals(name)) {
                Files.write(workspace.resolve(name), Base64.getDecoder().decode(c.get("base64").asText()));
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @ParameterizedTest
    @MethodSource("good")
    void readsWhatNumpyWrote(String name) throws IOException {
        JsonNode c = fixture(name);
        String label = c.has("label") ? c.get("label").asText() : null;
        // The same file as train and test: the test split is the whole array, in order.
        NumpyDataset.Config config = new NumpyDataset.Config(null, name, name, null, null, label, null, null, null);
        try (Dataset d = new NumpyDataset(workspace).open(config, new TestRunContext(1, allocator))) {
            Tensor x = d.split("test").x();
            long[] shape = new long[c.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = c.get("shape").get(i).asLong();
            }
            if (shape.length == 1) {
                shape = new long[] {shape[0], 1};
            }
            assertArrayEquals(shape, x.shape(), name);
            double[] expected = new double[c.get("values").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("values").get(i).asDouble();
            }
            assertArrayEquals(expected, x.toDoubleArray(), 0, name);
            assertEquals(name.contains("f8") || name.equals("only.npz") ? DType.FLOAT64 : DType.FLOAT32, x.dtype(), "auto dtype keeps float64 only");
            if (label != null) {
                double[] labels = new double[c.get("labels").size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = c.get("labels").get(i).asDouble();
                }
                assertArrayEquals(labels, d.split("test").label().orElseThrow().toDoubleArray(), 0);
                assertEquals(DType.INT32, d.split("test").label().orElseThrow().dtype());
                assertEquals(3, d.info().numClasses());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bad")
    void refusesWithAMessageAndLeavesNothingBehind(String name) throws IOException {
        JsonNode c = fixture(name);
        DataFileException e = assertThrows(DataFileException.class, () -> new NumpyDataset(workspace)
                .open(NumpyDataset.Config.of(name), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains(c.get("error").asText()), "expected '" + c.get("error").asText() + "' in: "
                + e.getMessage());
        assertTrue(e.getMessage().contains(workspace.resolve(name).toString()), e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void splitsASingleFileWithTheSeedAndConvertsOnRequest() throws IOException {
        fixture("i8.npy");
        NumpyDataset.Config c = new NumpyDataset.Config("i8.npy", null, null, 0.5, null, null, List.of(1, 2),
                "float64", null);
        try (Dataset d = new NumpyDataset(workspace).open(c, new TestRunContext(3, allocator))) {
            assertEquals(3, d.split("train").size());
            assertEquals(3, d.split("test").size());
            assertArrayEquals(new long[] {3, 1, 2}, d.split("train").x().shape());
            assertEquals(DType.FLOAT64, d.split("train").x().dtype());
            assertEquals(64, d.info().checksum().length());
        }
    }

    @Test
    void namingArraysOfANpyOrMissingOnesIsRefused() throws IOException {
        fixture("c-f8.npy");
        fixture("xy.npz");
        NumpyDataset p = new NumpyDataset(workspace);
        DataFileException e = assertThrows(DataFileException.class, () -> p.open(new NumpyDataset.Config("c-f8.npy",
                null, null, null, null, "y", null, null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("name arrays inside an .npz archive"), e.getMessage());
        e = assertThrows(DataFileException.class, () -> p.open(new NumpyDataset.Config("xy.npz", null, null, null,
                null, "labels", null, null, null), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains("field 'label' names array 'labels', which the archive does not hold; "
                + "arrays: [x, y]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NumpyDataset.Config("a.npy", null, null, null, null, null,
                null, "int8", null));
        assertEquals(0, allocator.getAllocatedMemory());
    }
}
