package org.genbench.eval.coverage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageEvaluatorTest {
    private BufferAllocator allocator;
    @TempDir
    Path tmp;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private Tensor points(double[] xy) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, xy.length / 2, 2);
        for (int i = 0; i < xy.length; i++) {
            t.setDouble(i, xy[i]);
        }
        return t;
    }

    private static Map<String, Double> values(List<Metric> metrics) {
        return metrics.stream().collect(Collectors.toMap(Metric::name, Metric::value, (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void onToyDataTheEvaluatorReportsTheFourNumbersWithKInTheProtocol() {
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
        double noise = 0.5 / Math.sqrt(2);
        DataInfo info = new DataInfo("toy/eight-gaussians", new long[] {2}, DataInfo.CONTINUOUS, 0, "x");
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(points(PrdcTest.eightGaussians(new Rng(1), 1500, all, noise))));
        splits.put("test", Batch.of(points(PrdcTest.eightGaussians(new Rng(2), 1500, all, noise))));
        try (InMemoryDataset data = new InMemoryDataset(info, splits);
             SampleResult half = new SampleResult(points(PrdcTest.eightGaussians(new Rng(3), 1500,
                     new int[] {1, 3, 5, 7}, noise)), 1, List.of());
             SampleResult copies = new SampleResult(data.split("train").x().slice(0, 1500), 1, List.of())) {
            Map<String, SampleResult> samples = new LinkedHashMap<>();
            samples.put("half", half);
            samples.put("copies", copies);
            CoverageEvaluator.Config config = new CoverageEvaluator.Config(5, 1500, null, null, null, null, null, null, null);
            List<Metric> metrics = new CoverageEvaluator().evaluate(null, data, samples, config,
                    new TestRunContext(1, allocator));
            Map<String, Double> v = values(metrics);
            assertEquals(0.5, v.get("half/recall"), 0.07);
            assertTrue(v.get("half/precision") > 0.95, v.toString());
            Metric recall = metrics.stream().filter(m -> m.name().equals("half/recall")).findFirst().orElseThrow();
            assertEquals(5, recall.protocol().get("k"));
            assertEquals("raw values, flattened", recall.protocol().get("features"));
            assertEquals(1500, recall.protocol().get("n_real"));
            // samples that are the training set: no distance to it at all, every one a near copy
            assertEquals(0.0, v.get("copies/train_distance_ratio"), 1e-6);
            assertEquals(1.0, v.get("copies/near_copies"), 1e-12);
            // new samples from half the modes sit as far from the training set as new real data does
            assertEquals(1.0, v.get("half/train_distance_ratio"), 0.25);
            assertTrue(v.get("half/near_copies") < 0.05, v.toString());
        }
    }

    /** Images: the pictures exist and the least typical samples (pure noise among smooth blobs) come first. */
    @Test
    void imagesGetTheLeastTypicalAndClosestToTrainingPictures() throws Exception {
        int n = 200;
        DataInfo info = new DataInfo("blobs", new long[] {1, 8, 8}, DataInfo.CONTINUOUS, 0, "x");
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(blobs(new Rng(1), n)));
        splits.put("test", Batch.of(blobs(new Rng(2), n)));
        Tensor generated = blobs(new Rng(3), n);
        Rng noise = new Rng(4);
        for (int i = 0; i < 5; i++) { // rows 0, 40, 80, ... are noise
            for (int p = 0; p < 64; p++) {
                generated.setDouble(i * 40L * 64 + p, noise.nextDouble());
            }
        }
        TestRunContext context = new TestRunContext(1, allocator) {
            @Override
            public Path outputDirectory() {
                return tmp;
            }
        };
        try (InMemoryDataset data = new InMemoryDataset(info, splits);
             SampleResult s = new SampleResult(generated, 1, List.of())) {
            new CoverageEvaluator().evaluate(null, data, Map.of("model", s),
                    new CoverageEvaluator.Config(3, 200, null, "raw", null, null, null, 5, 4), context);
        }
        BufferedImage least = ImageIO.read(tmp.resolve("least-typical-model.png").toFile());
        assertTrue(least.getWidth() > 190 + 5 * 16 && least.getHeight() > 5 * 16, least.getWidth() + "x" + least.getHeight());
        assertTrue(Files.isRegularFile(tmp.resolve("closest-to-training-model.png")));
    }

    /** Smooth 8x8 blobs at random places. */
    private Tensor blobs(Rng rng, int n) {
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 8, 8);
        for (int i = 0; i < n; i++) {
            double cx = 2 + 4 * rng.nextDouble();
            double cy = 2 + 4 * rng.nextDouble();
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    t.setDouble(i * 64L + y * 8 + x, Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 4));
                }
            }
        }
        return t;
    }

    @Test
    void settingsAreCheckedByName() {
        assertEquals("k must be in 1..100, was 0", assertThrows(IllegalArgumentException.class,
                () -> new CoverageEvaluator.Config(0, null, null, null, null, null, null, null, null)).getMessage());
        assertEquals("samples must be in 6..100000 (more than k), was 5", assertThrows(IllegalArgumentException.class,
                () -> new CoverageEvaluator.Config(5, 5, null, null, null, null, null, null, null)).getMessage());
    }
}
