package org.genbench.model.gmm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GmmPersistenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    BufferAllocator allocator;
    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void saveThenLoadGivesIdenticalLogDensities() throws IOException {
        GmmModel trained = new GmmModel(Fixtures.config(4), Fixtures.vectors(2));
        try (Tensor x = Fixtures.threeComponents2d().sample(1000, new Rng(1), allocator)) {
            trained.initialize(x, new Rng(2));
            for (int i = 0; i < 10; i++) {
                trained.emStep(x);
            }
            trained.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve("gmm.json")));
            assertFalse(Files.exists(dir.resolve("gmm.json.tmp")), "the temporary file must be renamed away");

            Model fresh = new GmmFamily().create(Fixtures.config(4), Fixtures.vectors(2), new Rng(99));
            fresh.as(Persistent.class).orElseThrow().load(dir);
            GmmModel loaded = (GmmModel) fresh;
            try (Tensor a = trained.logDensity(x); Tensor b = loaded.logDensity(x)) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
            }
            try (Tensor a = trained.sample(50, new Rng(3), allocator); Tensor b = loaded.sample(50, new Rng(3), allocator)) {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0);
            }
        }
    }

    @Test
    void savingOverAnOlderCheckpointReplacesIt() throws IOException {
        GmmModel a = Fixtures.threeComponents2d();
        a.save(dir);
        GmmModel b = GmmModel.fromParameters(Fixtures.config(3), Fixtures.vectors(2), new double[] {0.2, 0.2, 0.6},
                new double[][] {{1, 1}, {2, 2}, {3, 3}},
                new double[][][] {{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}});
        b.save(dir);
        GmmModel loaded = new GmmModel(Fixtures.config(3), Fixtures.vectors(2));
        loaded.load(dir);
        assertArrayEquals(new double[] {0.2, 0.2, 0.6}, loaded.parameters().weights(), 0.0);
    }

    @Test
    void loadFromAnEmptyDirectoryNamesTheFile() {
        GmmModel model = new GmmModel(Fixtures.config(3), Fixtures.vectors(2));
        IOException e = assertThrows(IOException.class, () -> model.load(dir));
        assertTrue(e.getMessage().contains("gmm.json"), e.getMessage());
    }

    @Test
    void loadNamesAMissingField() throws IOException {
        assertLoadFails(root -> root.remove("means"), "'means' is missing");
        assertLoadFails(root -> ((ObjectNode) root.get("config")).remove("regCovar"), "'regCovar' is missing");
        assertLoadFails(root -> root.remove("format"), "'format' is missing");
    }

    @Test
    void loadNamesAnInconsistentField() throws IOException {
        assertLoadFails(root -> ((ArrayNode) root.get("means").get(1)).add(0.0), "means[1]");
        assertLoadFails(root -> ((ArrayNode) root.get("weights")).remove(0), "'weights' has 2 entries, expected 3");
        assertLoadFails(root -> root.put("d", 3), "'d' is 3 but this model has 2");
        assertLoadFails(root -> ((ArrayNode) root.get("weights")).set(0, 0.9), "weights must sum to 1");
        assertLoadFails(root -> ((ArrayNode) root.get("covariances").get(0).get(0)).set(0, -1.0),
                "covariance 0 is not positive definite");
        assertLoadFails(root -> root.put("version", 3), "'version' is 3");
    }

    @Test
    void loadRefusesACheckpointOfADifferentlyConfiguredModel() throws IOException {
        Fixtures.threeComponents2d().save(dir);
        GmmModel other = new GmmModel(new GmmFamily.Config(3, null, 1e-3, null, null), Fixtures.vectors(2));
        IOException e = assertThrows(IOException.class, () -> other.load(dir));
        assertTrue(e.getMessage().contains("config.regCovar"), e.getMessage());
        GmmModel wider = new GmmModel(Fixtures.config(4), Fixtures.vectors(2));
        e = assertThrows(IOException.class, () -> wider.load(dir));
        assertTrue(e.getMessage().contains("config.components"), e.getMessage());
    }

    private void assertLoadFails(Consumer<ObjectNode> corrupt, String expected) throws IOException {
        Fixtures.threeComponents2d().save(dir);
        Path file = dir.resolve("gmm.json");
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        corrupt.accept(root);
        Files.write(file, JSON.writeValueAsBytes(root));
        GmmModel model = new GmmModel(Fixtures.config(3), Fixtures.vectors(2));
        IOException e = assertThrows(IOException.class, () -> model.load(dir));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertThrows(IllegalStateException.class, model::parameters, "a failed load must leave no parameters");
    }
}
