package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small class-conditional DCGAN on a Fashion-MNIST subset in the real framework (features core, classic, deep),
 * trained for a short budget by the adversarial trainer: its samples for a requested class must look like that
 * class to a classifier trained here on real images. Needs Debian's dataset-fashion-mnist.
 */
class GanIT {
    static final Path IDX = Path.of("/usr/share/datasets/fashion-mnist");
    static final int STEPS = 800;
    static final String SPEC = """
            {
              "name": "gan-it", "seed": 11,
              "dataset": { "type": "fashion-mnist", "config": { "train": 10000, "test": 500 } },
              "model": { "type": "gan", "config": { "arch": "dcgan", "conditional": true, "latentDim": 16,
                         "gChannels": 16, "dChannels": 16 } },
              "trainer": { "type": "adversarial", "config": { "steps": %d, "batchSize": 32, "learningRateG": 0.0005,
                           "learningRateD": 0.0005, "labelSmoothing": 0.1, "checkpointEvery": 400, "samplesPerClass": 50, "threads": 1 } },
              "samplers": [ { "type": "ancestral", "config": { "samples": 64 } } ],
              "evaluators": []
            }
            """.formatted(STEPS);

    @TempDir
    static Path workspace;
    static TestHost host;
    static TestHost.Result result;
    static double seconds;

    @BeforeAll
    static void boot() throws Exception {
        Required.fashionMnist();
        host = new TestHost(workspace, List.of("core", "classic", "deep"));
        host.spec("gan-it", SPEC);
        long t0 = System.nanoTime();
        result = host.exec("run", "gan-it.json");
        seconds = (System.nanoTime() - t0) / 1e9;
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    /**
     * A nearest-class-mean classifier on 10000 real training images (pixel space) labels real test images right
     * about 68% of the time (asserted above 60% as a check of the classifier itself). Chance is 10%. The threshold
     * for the GAN's 500 conditional samples (50 per class) is 50%: five times chance, far outside what a generator
     * that ignores its label can reach (such samples are spread over all classes; the standard deviation of the
     * accuracy of 500 samples at chance is 1.3%), while leaving room for the blurry, partly formed images of a
     * short training run.
     */
    @Test
    void conditionalSamplesAreClassifiedAsTheirRequestedClass() throws Exception {
        assertEquals(0, result.status(), result::toString);
        Path run = host.runDir("gan-it");
        assertEquals("completed", TestHost.read(run.resolve("run.json")).path("status").asText());

        float[][] train = images("train-images-idx3-ubyte.gz", 10000);
        int[] trainLabels = labels("train-labels-idx1-ubyte.gz", 10000);
        float[][] centroids = centroids(train, trainLabels);
        float[][] test = images("t10k-images-idx3-ubyte.gz", 2000);
        int[] testLabels = labels("t10k-labels-idx1-ubyte.gz", 2000);
        double realAccuracy = accuracy(centroids, test, testLabels);

        float[][] samples;
        int[] requested;
        try (RootAllocator allocator = new RootAllocator();
             FileChannel ch = FileChannel.open(run.resolve("outputs/adversarial/conditional-samples.arrow"));
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertTrue(reader.loadNextBatch());
            int n = root.getRowCount();
            Float4Vector x = (Float4Vector) ((FixedSizeListVector) root.getVector("x")).getDataVector();
            IntVector label = (IntVector) root.getVector("label");
            samples = new float[n][784];
            requested = new int[n];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 784; p++) {
                    samples[i][p] = x.get(i * 784 + p);
                }
                requested[i] = label.get(i);
            }
        }
        assertEquals(500, samples.length, "50 samples for each of 10 classes");
        double sampleAccuracy = accuracy(centroids, samples, requested);
        System.out.printf("GanIT: %d steps in %.0f s (whole run); nearest-centroid accuracy: real test %.3f,"
                + " conditional samples %.3f (chance 0.100)%n", STEPS, seconds, realAccuracy, sampleAccuracy);
        assertTrue(realAccuracy > 0.6, "the classifier itself on real test images: " + realAccuracy);
        assertTrue(sampleAccuracy > 0.5, "conditional samples classified as requested: " + sampleAccuracy);

        double dLoss = TestHost.metric(run, "adversarial", "d_loss");
        assertTrue(dLoss > 0.1 && dLoss < 2.5, "D neither wins outright nor is lost: d_loss " + dLoss);
        assertTrue(Files.isDirectory(run.resolve("checkpoint")), "the trained GAN is saved");
        assertTrue(Files.isRegularFile(run.resolve("checkpoint/gan.safetensors")));
    }

    /**
     * The GAN's checkpoint (weights, both Adam states, step counts; the trainer's loss windows) loads inside the
     * framework, and a run resumed from an intermediate checkpoint ends exactly where the uninterrupted run ended: a
     * copy of a finished toy run, cut back to its step-100 checkpoint, is resumed and must reproduce the original's
     * final metrics, trained weights and samples bit for bit.
     */
    @Test
    void aRunResumedFromAnEarlierCheckpointEndsWithTheSameNumbers() throws Exception {
        host.spec("gan-resume", """
                {
                  "name": "gan-resume", "seed": 5,
                  "dataset": { "type": "toy", "config": { "shape": "eight-gaussians", "train": 2000, "test": 200 } },
                  "model": { "type": "gan", "config": { "arch": "mlp", "hidden": 64 } },
                  "trainer": { "type": "adversarial", "config": { "steps": 300, "batchSize": 128, "checkpointEvery": 100,
                               "threads": 1 } },
                  "samplers": [ { "type": "ancestral", "config": { "samples": 500 } } ],
                  "evaluators": []
                }
                """);
        TestHost.Result whole = host.exec("run", "gan-resume.json");
        assertEquals(0, whole.status(), whole::toString);
        Path original = host.runDir("gan-resume");
        assertTrue(Files.isDirectory(original.resolve("checkpoints/step-100")), "checkpoint at step 100");

        Path copy = original.resolveSibling(original.getFileName() + "-cut");
        try (var walk = Files.walk(original)) {
            for (Path p : walk.toList()) {
                Files.copy(p, copy.resolve(original.relativize(p).toString()));
            }
        }
        TestHost.deleteTree(copy.resolve("checkpoints/step-200"));
        TestHost.deleteTree(copy.resolve("checkpoint"));
        TestHost.deleteTree(copy.resolve("samples"));
        Files.delete(copy.resolve("metrics.json"));

        // The copy says it completed: resuming it needs --force (without, it is left as it is).
        TestHost.Result refused = host.exec("resume", copy.getFileName().toString());
        assertEquals(0, refused.status(), refused::toString);
        assertTrue(refused.out().contains("already completed"), refused::toString);
        TestHost.Result resumed = host.exec("resume", "--force", copy.getFileName().toString());
        assertEquals(0, resumed.status(), resumed::toString);
        // it did resume (a fresh start would give the same numbers too): the log keeps steps up to the checkpoint,
        // and every training step is logged once
        List<Long> steps = Files.readAllLines(copy.resolve("metrics.jsonl")).stream().map(l -> {
            try {
                return TestHost.JSON.readTree(l);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(n -> n.path("phase").asText().equals("train")).map(n -> n.path("step").asLong()).toList();
        assertEquals(steps.stream().distinct().sorted().toList(), steps, "each training step once, in order");
        assertTrue(steps.contains(100L) && steps.contains(101L), steps::toString);
        assertEquals(TestHost.read(original.resolve("metrics.json")).path("metrics"),
                TestHost.read(copy.resolve("metrics.json")).path("metrics"), "final metrics");
        for (String file : new String[] {"checkpoint/gan.safetensors", "samples/ancestral.arrow"}) {
            assertEquals(-1, Files.mismatch(original.resolve(file), copy.resolve(file)), file + " is bit-identical");
        }
    }

    static float[][] centroids(float[][] x, int[] y) {
        float[][] c = new float[10][784];
        int[] counts = new int[10];
        for (int i = 0; i < x.length; i++) {
            counts[y[i]]++;
            for (int p = 0; p < 784; p++) {
                c[y[i]][p] += x[i][p];
            }
        }
        for (int k = 0; k < 10; k++) {
            for (int p = 0; p < 784; p++) {
                c[k][p] /= counts[k];
            }
        }
        return c;
    }

    static double accuracy(float[][] centroids, float[][] x, int[] y) {
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < 10; k++) {
                double d = 0;
                for (int p = 0; p < 784; p++) {
                    double diff = x[i][p] - centroids[k][p];
                    d += diff * diff;
                }
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            if (best == y[i]) {
                right++;
            }
        }
        return right / (double) x.length;
    }

    static float[][] images(String file, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(IDX.resolve(file)), 1 << 16))) {
            in.skipNBytes(16);
            byte[] pixels = new byte[784];
            float[][] x = new float[n][784];
            for (int i = 0; i < n; i++) {
                in.readFully(pixels);
                for (int p = 0; p < 784; p++) {
                    x[i][p] = (pixels[p] & 0xff) / 255f;
                }
            }
            return x;
        }
    }

    static int[] labels(String file, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(IDX.resolve(file))))) {
            in.skipNBytes(8);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = in.readUnsignedByte();
            }
            return y;
        }
    }
}
