package org.genbench.trainer.cd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.DataInfo;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.model.rbm.internal.RbmFamily;
import org.genbench.testing.Required;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer against its numpy twin (bench/rbm_twin.py), written from the documentation alone: the same initial
 * weights and data, 100 updates of CD-2 and of PCD with momentum, weight decay and a linear schedule, and the same
 * random streams, must end at the same weights to 1e-4 (they agree to float64 rounding unless a draw differs).
 * {@link #run} serves bench/rbm_twin.sh too, at Fashion-MNIST's size.
 */
public class RbmTwinTest {
    static final Path SCRIPT = Path.of("../../bench/rbm_twin.py");
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** 300 noisy copies of 4 binary 6x6 prototypes. */
    static double[] patterns(int n, int d, Rng rng) {
        double[][] proto = new double[4][d];
        for (double[] p : proto) {
            for (int i = 0; i < d; i++) {
                p[i] = rng.nextDouble() < 0.4 ? 1 : 0;
            }
        }
        double[] x = new double[n * d];
        for (int r = 0; r < n; r++) {
            double[] p = proto[rng.nextInt(4)];
            for (int i = 0; i < d; i++) {
                x[r * d + i] = rng.nextDouble() < 0.1 ? 1 - p[i] : p[i];
            }
        }
        return x;
    }

    @Test
    void cdAndPcdEndWhereTheNumpyTwinEnds(@TempDir Path dir) throws Exception {
        int d = 36;
        int n = 300;
        double[] data = patterns(n, d, new Rng(4));
        for (boolean persistent : new boolean[] {false, true}) {
            double diff = run(data, n, new long[] {d}, 16, persistent, persistent ? 1 : 2, 20,
                    dir.resolve(persistent ? "pcd" : "cd"), allocator);
            assertTrue(diff < 1e-4, (persistent ? "PCD" : "CD") + ": largest difference " + diff);
        }
    }

    /**
     * Trains an RBM with {@code hidden} units for 100 updates on {@code data} with the real trainer, has the twin do
     * the same from the same start, and returns the largest absolute difference in W, b and c.
     */
    public static double run(double[] data, int n, long[] sampleShape, int hidden, boolean persistent, int k,
            int batchSize, Path dir, BufferAllocator allocator) throws Exception {
        // The script is part of the repository: its absence is a broken checkout, never a reason to skip.
        assertTrue(Files.isRegularFile(SCRIPT), "bench/rbm_twin.py not found from " + Path.of("").toAbsolutePath());
        Required.python("apt-get install python3-numpy", "numpy");
        Files.createDirectories(dir);
        int d = Math.toIntExact(java.util.Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        DataInfo info = new DataInfo("twin", sampleShape, DataInfo.BINARY, 0, null);
        Model model = new RbmFamily().create(new RbmFamily.Config(hidden, null, null, 0.1, null), info, new Rng(9));
        BlockGibbs gibbs = model.as(BlockGibbs.class).orElseThrow();
        double[] init = parameters(gibbs, sampleShape, d, allocator);

        int steps = 100;
        long seed = 31;
        Map<String, Object> twin = new LinkedHashMap<>();
        twin.put("seed", seed);
        twin.put("visible", d);
        twin.put("hidden", hidden);
        twin.put("examples", n);
        twin.put("steps", steps);
        twin.put("batchSize", batchSize);
        twin.put("k", k);
        twin.put("persistent", persistent);
        twin.put("chains", 15);
        twin.put("learningRate", 0.05);
        twin.put("schedule", "linear");
        twin.put("momentum", 0.9);
        twin.put("initialMomentum", 0.5);
        twin.put("momentumWarmup", 30);
        twin.put("weightDecay", 1e-3);
        Rng check = new Rng(12345);
        List<Object> draws = new ArrayList<>(List.of(check.nextDouble(), check.nextDouble(), check.nextDouble()));
        List<Integer> bounds = List.of(7, 1000, 1 << 20, Integer.MAX_VALUE, 3);
        for (int b : bounds) {
            draws.add(check.nextInt(b));
        }
        draws.add(new Rng(12345).split("step").split(7).nextDouble());
        twin.put("rngCheck", Map.of("seed", 12345, "bounds", bounds, "draws", draws));
        new ObjectMapper().writeValue(dir.resolve("twin.json").toFile(), twin);
        write(dir.resolve("data.bin"), data);
        write(dir.resolve("init.bin"), init);

        long[] shape = new long[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        try (InMemoryDataset dataset = new InMemoryDataset(info, Map.of("train",
                Batch.of(Tensor.of(allocator, DType.FLOAT32, data, shape))))) {
            TestRunContext context = new TestRunContext(seed, allocator);
            if (persistent) {
                new PcdTrainer().train(model, dataset, new PcdTrainer.Config(steps, batchSize, k, 15, 0.05, "linear",
                        0.9, 0.5, 30, 1e-3, 1000, 0, 20, 0, false), context);
            } else {
                new CdTrainer().train(model, dataset, new CdTrainer.Config(steps, batchSize, k, 0.05, "linear", 0.9,
                        0.5, 30, 1e-3, 1000, 0, 20, 0, false), context);
            }
        }
        double[] java = parameters(gibbs, sampleShape, d, allocator);

        Process p = new ProcessBuilder("python3", SCRIPT.toString(), "--dir", dir.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the twin did not finish");
        assertEquals(0, p.exitValue(), out);
        System.out.print(out);
        double[] python = read(dir.resolve("twin_final.bin"), java.length);
        double diff = 0;
        double moved = 0;
        for (int i = 0; i < java.length; i++) {
            diff = Math.max(diff, Math.abs(java[i] - python[i]));
            moved = Math.max(moved, Math.abs(java[i] - init[i]));
        }
        System.out.printf("rbm twin: %s k=%d, %d x %d, %d updates: largest |java - numpy| %.3g (largest change from"
                + " the start %.3g)%n", persistent ? "PCD" : "CD", k, d, hidden, steps, diff, moved);
        assertTrue(moved > 0.05, "the weights moved: " + moved);
        return diff;
    }

    /** W (d x h, row-major), b, c read through the conditionals: c = a(0), W_i = a(e_i) - c, b = visibleField(0). */
    static double[] parameters(BlockGibbs gibbs, long[] sampleShape, int d, BufferAllocator allocator) {
        int h = gibbs.hiddenUnits();
        double[] eye = new double[(d + 1) * d];
        for (int i = 0; i < d; i++) {
            eye[(i + 1) * d + i] = 1;
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = d + 1;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        double[] out = new double[d * h + d + h];
        try (Tensor x = Tensor.of(allocator, DType.FLOAT64, eye, shape); Tensor a = gibbs.hiddenField(x);
             Tensor zero = Tensor.allocate(allocator, DType.FLOAT64, 1, h); Tensor g = gibbs.visibleField(zero)) {
            double[] field = a.toDoubleArray();
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < h; j++) {
                    out[i * h + j] = field[(i + 1) * h + j] - field[j];
                }
            }
            System.arraycopy(g.toDoubleArray(), 0, out, d * h, d);
            System.arraycopy(field, 0, out, d * h + d, h);
        }
        return out;
    }


    static void write(Path file, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        Files.write(file, b.array());
    }

    static double[] read(Path file, int n) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(n * 8L, bytes.length, file + " size");
        double[] out = new double[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }
}
