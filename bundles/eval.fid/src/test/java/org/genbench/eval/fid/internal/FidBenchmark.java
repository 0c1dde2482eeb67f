package org.genbench.eval.fid.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.api.Rng;
import org.genbench.numerics.FrechetDistance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Milliseconds for FID of 10000 generated against 10000 real samples, from their features: mean and covariance of
 * both sets, then the Fréchet distance. Features of 128 dimensions (the default network's) and 2048 (Inception's
 * pool3, the usual FID). Leaves the features ({@code <case>-real.npy}, {@code <case>-gen.npy}) and its own timings
 * and values ({@code java.json}) in {@code target/fid-bench}, where datasets/reference/fid_timing.py times numpy +
 * scipy (pytorch-fid's code path) on the same features; bench/fid_vs_scipy.sh runs both.
 */
@Tag("benchmark")
class FidBenchmark {
    static final Path OUT = Path.of("target", "fid-bench");
    static final int N = 10_000;
    static final int WARMUP = 1;
    static final int REPEATS = 5;

    @Test
    void fidOfTenThousandSamples() throws IOException {
        Files.createDirectories(OUT);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("n", N);
        results.put("warmup", WARMUP);
        results.put("repeats", REPEATS);
        results.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        results.put("nd4jThreads", Nd4j.getEnvironment().maxThreads());
        Map<String, Object> cases = new LinkedHashMap<>();
        results.put("cases", cases);
        for (int d : new int[] {128, 2048}) {
            cases.put("d" + d, run("d" + d, d));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(OUT.resolve("java.json").toFile(), results);
    }

    private Map<String, Object> run(String name, int d) throws IOException {
        Rng rng = new Rng(d);
        // Correlated features, non-negative like post-ReLU activations, generated set shifted and rescaled.
        double[][] mix = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                mix[i][j] = (i == j ? 0.5 : 0) + rng.nextGaussian() / Math.sqrt(d);
            }
        }
        INDArray a = Nd4j.createFromArray(mix);
        INDArray real = gaussian(rng, N, d).mmul(a);
        INDArray gen = gaussian(rng, N, d).mmul(a).muli(1.1).addi(0.05);
        writeNpy(OUT.resolve(name + "-real.npy"), real);
        writeNpy(OUT.resolve(name + "-gen.npy"), gen);
        List<Double> ms = new ArrayList<>();
        double fid = Double.NaN;
        for (int r = 0; r < WARMUP + REPEATS; r++) {
            long t0 = System.nanoTime();
            fid = FrechetDistance.distance(FrechetDistance.statistics(real), FrechetDistance.statistics(gen)).value();
            double elapsed = (System.nanoTime() - t0) / 1e6;
            if (r >= WARMUP) {
                ms.add(elapsed);
            }
        }
        Collections.sort(ms);
        assertTrue(Double.isFinite(fid));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("d", d);
        out.put("medianMs", ms.get(ms.size() / 2));
        out.put("ms", ms);
        out.put("fid", fid);
        System.out.printf("FidBenchmark %s: median %.1f ms, fid %.10g%n", name, ms.get(ms.size() / 2), fid);
        return out;
    }

    private static INDArray gaussian(Rng rng, int n, int d) {
        double[] v = new double[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }
        return Nd4j.create(v, new long[] {n, d}, 'c');
    }

    static void writeNpy(Path file, INDArray x) throws IOException {
        long n = x.rows();
        long d = x.columns();
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        head.putShort((short) header.length());
        double[] values = x.dup('c').data().asDouble();
        ByteBuffer body = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            body.putDouble(v);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(head.array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            out.write(body.array());
        }
    }
}
