package org.genbench.dataio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataioTest {
    @TempDir
    Path dir;

    @Test
    void sha256IsWhatSha256sumPrints() throws IOException {
        Path abc = Files.writeString(dir.resolve("abc"), "abc");
        // FIPS 180-2's test vector for "abc"
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", DataFiles.sha256(abc));
        Map<String, Path> two = new LinkedHashMap<>();
        two.put("a", abc);
        two.put("b", abc);
        // sha256 of "ba78...15ad  a\nba78...15ad  b\n", as `sha256sum a b | sha256sum` prints it
        assertEquals("6e0534855d1d183250459e82c311fb77578cf75019787625a10154399462260d", DataFiles.sha256(two));
    }

    @Test
    void labelsAreIndicesWhenTheyAreAndSortedNamesOtherwise() throws IOException {
        Labels ints = Labels.encode(List.of("2", "0", "2"), List.of("5"), "f");
        assertArrayEquals(new int[] {2, 0, 2}, ints.train());
        assertArrayEquals(new int[] {5}, ints.test());
        assertEquals(6, ints.numClasses());
        Labels names = Labels.encode(List.of("virginica", "setosa"), List.of("versicolor", "setosa"), "f");
        assertArrayEquals(new int[] {2, 0}, names.train());
        assertArrayEquals(new int[] {1, 0}, names.test());
        assertEquals(List.of("setosa", "versicolor", "virginica"), names.classes());
        Labels numbers = Labels.encode(List.of("10", "-1", "2.5"), null, "f");
        assertArrayEquals(new int[] {2, 0, 1}, numbers.train(), "numbers sort as numbers, not as text");
        DataFileException e = assertThrows(DataFileException.class, () -> Labels.encode(List.of("a", " "), null, "f"));
        assertTrue(e.getMessage().contains("the label of row 1 is empty"), e.getMessage());
    }

    @Test
    void theSplitIsSeededDisjointAndCompleteAndAFailureFreesEverything() throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            FileDatasets.Meta meta = new FileDatasets.Meta("t", null, "float32", DataInfo.CONTINUOUS, 0, "sum");
            double[] v = new double[20];
            for (int i = 0; i < 20; i++) {
                v[i] = i;
            }
            try (Dataset a = FileDatasets.assemble(meta, part(allocator, v), null, 0.25, new Rng(4), allocator);
                 Dataset b = FileDatasets.assemble(meta, part(allocator, v), null, 0.25, new Rng(4), allocator)) {
                double[] train = a.split("train").x().toDoubleArray();
                double[] test = a.split("test").x().toDoubleArray();
                assertEquals(15, train.length);
                assertEquals(5, test.length);
                assertEquals(DType.FLOAT32, a.split("train").x().dtype());
                double[] all = new double[20];
                System.arraycopy(train, 0, all, 0, 15);
                System.arraycopy(test, 0, all, 15, 5);
                java.util.Arrays.sort(all);
                assertArrayEquals(v, all, 0, "every row once");
                assertArrayEquals(test, b.split("test").x().toDoubleArray(), 0, "same seed, same split");
                assertEquals("sum", a.info().checksum());
            }
            v[7] = Double.NaN;
            DataFileException e = assertThrows(DataFileException.class,
                    () -> FileDatasets.assemble(meta, part(allocator, v), null, 0.25, new Rng(4), allocator));
            assertTrue(e.getMessage().contains("src: example 7 has NaN at position 0"), e.getMessage());
            assertEquals(0, allocator.getAllocatedMemory(), "the inputs are closed on failure");
        }
    }

    private static FileDatasets.Part part(BufferAllocator allocator, double[] v) {
        return new FileDatasets.Part(Tensor.ofDoubles(allocator, v, v.length, 1), null, "src");
    }

    @Test
    void whereTheDataIsIsSaidOnceForEveryFormat() {
        assertEquals(0.2, Sources.check("a", null, null, null));
        assertEquals(null, Sources.check(null, "a", "b", null));
        assertThrows(IllegalArgumentException.class, () -> Sources.check(null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> Sources.check(" ", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> Sources.check("a", null, null, 0.0));
    }
}
