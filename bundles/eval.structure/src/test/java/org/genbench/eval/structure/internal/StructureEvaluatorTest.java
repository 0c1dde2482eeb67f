package org.genbench.eval.structure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StructureEvaluatorTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static final DataInfo INFO = new DataInfo("line", new long[] {1}, DataInfo.CONTINUOUS, 3, "x");

    /** Clusters by thresholds on the one coordinate: [..1), [1, 2), [2..) as clusters 2, 0, 1 (renamed). */
    record Thresholds() implements Model, Clustering {
        @Override
        public DataInfo data() {
            return INFO;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public int clusters() {
            return 3;
        }

        @Override
        public Tensor assignments(Tensor x) {
            Tensor r = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows(), 3);
            for (int i = 0; i < x.rows(); i++) {
                double v = x.getDouble(i);
                int c = v < 1 ? 2 : v < 2 ? 0 : 1;
                r.setDouble(3L * i + c, 0.9);
                r.setDouble(3L * i + (c + 1) % 3, 0.1);
            }
            return r;
        }
    }

    @Test
    void assignmentsThatRecoverTheClassesScoreOneAndTheNumbersMatchTheScores() {
        int n = 300;
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1);
        Tensor y = Tensor.allocate(allocator, DType.INT32, n);
        int[] labels = new int[n];
        int[] clusters = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            // class c sits in [c, c+1), except every tenth example, which sits in the next class's interval
            double v = labels[i] + 0.5 + (i % 10 == 0 ? 1 : 0);
            x.setDouble(i, v);
            y.setDouble(i, labels[i]);
            clusters[i] = v < 1 ? 2 : v < 2 ? 0 : 1;
        }
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(Tensor.allocate(allocator, DType.FLOAT32, 1, 1)));
        splits.put("test", Batch.of(x, y));
        try (InMemoryDataset data = new InMemoryDataset(INFO, splits)) {
            Map<String, Double> v = new StructureEvaluator().evaluate(new Thresholds(), data, Map.of(),
                    new StructureEvaluator.Config(null, null), new TestRunContext(1, allocator)).stream()
                    .collect(Collectors.toMap(Metric::name, Metric::value));
            assertEquals(ClusterScores.adjustedRandIndex(labels, clusters), v.get("ari"), 1e-15);
            assertEquals(ClusterScores.normalizedMutualInformation(labels, clusters), v.get("nmi"), 1e-15);
            assertTrue(v.get("ari") > 0.6 && v.get("ari") < 0.95, v.toString());
            assertEquals(3, v.get("clusters_used"));
            // the shifted examples of classes 0 and 1 (20 of 300) land in the next class's cluster
            assertEquals(280 / 300.0, v.get("purity"), 1e-15);
        }
    }

    @Test
    void unlabelledDataIsRefusedByName() {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(Tensor.allocate(allocator, DType.FLOAT32, 2, 1)));
        splits.put("test", Batch.of(Tensor.allocate(allocator, DType.FLOAT32, 2, 1)));
        try (InMemoryDataset data = new InMemoryDataset(new DataInfo("u", new long[] {1}, DataInfo.CONTINUOUS, 0, "x"),
                splits)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StructureEvaluator()
                    .evaluate(new Thresholds(), data, Map.of(), new StructureEvaluator.Config(null, null),
                            new TestRunContext(1, allocator)));
            assertTrue(e.getMessage().contains("labels true"), e.getMessage());
        }
    }
}
