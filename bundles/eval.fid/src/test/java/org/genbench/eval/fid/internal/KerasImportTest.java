package org.genbench.eval.fid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.vision.FeatureNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Keras Sequential model in HDF5 (written by datasets/reference/keras_fixture.py in Keras's layout) is a feature
 * network: its first layer's features equal numpy's relu(x W + b) from the same weights.
 */
class KerasImportTest {
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void kerasFeaturesMatchTheReference() throws Exception {
        Path h5 = Path.of(getClass().getResource("/keras_mlp.h5").toURI());
        JsonNode ref = new ObjectMapper().readTree(getClass().getResource("/keras_mlp_reference.json"));
        FidEvaluator fid = new FidEvaluator();
        FeatureNetwork network = fid.network(new FidEvaluator.Config(h5.toString(), null, null, 0, null, null));
        assertEquals("keras_mlp.h5", network.name());
        assertEquals(64, network.sha256().length());

        int n = ref.path("inputs").size();
        int d = ref.path("inputs").get(0).size();
        try (Tensor images = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 2, d / 2)) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    images.setDouble((long) i * d + j, ref.path("inputs").get(i).get(j).asDouble());
                }
            }
            try (Tensor features = network.features(images)) {
                JsonNode expected = ref.path("layer0_features");
                assertEquals(n, features.rows());
                assertEquals(expected.get(0).size(), features.rowSize());
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < features.rowSize(); k++) {
                        assertEquals(expected.get(i).get(k).asDouble(), features.get(i, k), 1e-5,
                                "feature " + k + " of input " + i);
                    }
                }
            }
        }
    }

    @Test
    void aKeras3ArchiveIsRefusedWithWhatToDoInstead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FidEvaluator.Config("model.keras", null, null, null, null, null));
        assertTrue(e.getMessage().contains("HDF5 format (.h5)"), e.getMessage());
    }
}
