package org.genbench.model.mixture.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.EmFittable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.io.Checkpoint;

/**
 * The mixture's parameters and what they compute. E steps and densities go through BLAS in chunks of rows (log p of
 * every row under every component is one product); the raster-order conditionals for coding are plain Java with
 * {@link StrictMath}, so that two machines that load the same checkpoint compute the same doubles.
 */
final class BernoulliMixtureModel implements Model, DirectSampling, LogDensity, EmFittable, Clustering,
        DiscreteConditionals, Persistent {
    static final String FILE = "mixture.safetensors";
    private static final int CHUNK = 2048;
    private static final double INIT_CLAMP = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BernoulliMixtureFamily.Config config;
    private final DataInfo data;
    private final int k;
    private final int d;
    private double[] logPi;
    private double[] mu;
    private double[] logMu;
    private double[] log1mMu;

    BernoulliMixtureModel(BernoulliMixtureFamily.Config config, DataInfo data) {
        this.config = config;
        this.data = data;
        this.k = config.components();
        this.d = Math.toIntExact(data.dimension());
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return (long) k * d + k - 1;
    }

    private void requireParameters() {
        if (mu == null) {
            throw new IllegalStateException(BernoulliMixtureFamily.NAME + " has no parameters yet: train it (em) or"
                    + " load a checkpoint");
        }
    }

    private void set(double[] pi, double[] means) {
        logPi = new double[k];
        for (int j = 0; j < k; j++) {
            logPi[j] = StrictMath.log(pi[j]);
        }
        mu = means.clone();
        logMu = new double[k * d];
        log1mMu = new double[k * d];
        for (int i = 0; i < k * d; i++) {
            logMu[i] = StrictMath.log(mu[i]);
            log1mMu[i] = StrictMath.log1p(-mu[i]);
        }
    }

    double[] weights() {
        double[] pi = new double[k];
        for (int j = 0; j < k; j++) {
            pi[j] = StrictMath.exp(logPi[j]);
        }
        return pi;
    }

    double[] means() {
        return mu.clone();
    }

    // ---- E step, densities, assignments

    /**
     * log pi_k + log p(x_i | k) for rows {@code [from, from + m)} of x, {@code [m, k]} row-major: x A + c with
     * A_dk = log mu_kd - log(1 - mu_kd) and c_k = log pi_k + sum_d log(1 - mu_kd).
     */
    private double[] jointLogProb(double[] x, int m) {
        double[] a = new double[d * k];
        double[] c = logPi.clone();
        for (int j = 0; j < k; j++) {
            for (int t = 0; t < d; t++) {
                a[t * k + j] = logMu[j * d + t] - log1mMu[j * d + t];
                c[j] += log1mMu[j * d + t];
            }
        }
        double[] out;
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            out = F.matmul(NdArray.wrap(x, m, d), NdArray.wrap(a, d, k)).d().clone();
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] += c[j];
            }
        }
        return out;
    }

    /** Rows {@code [from, from + m)} of x as float64, each value checked to be 0 or 1. */
    private double[] rows(Tensor x, long from, int m) {
        double[] out = new double[m * d];
        for (int i = 0; i < out.length; i++) {
            double v = x.getDouble(from * d + i);
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException(BernoulliMixtureFamily.NAME + " models binary data; found " + v
                        + " at index " + (from * d + i));
            }
            out[i] = v;
        }
        return out;
    }

    private int checkRows(Tensor x) {
        if (x.rowSize() != d) {
            throw new IllegalArgumentException(BernoulliMixtureFamily.NAME + " expects examples of " + d
                    + " values, got " + Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }

    /** Overwrites each row of {@code lp} ([m, k]) with its softmax and returns each row's log-sum-exp. */
    private static double[] normalizeRows(double[] lp, int m, int k) {
        double[] lse = new double[m];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, lp[i * k + j]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(lp[i * k + j] - max);
                lp[i * k + j] = e;
                s += e;
            }
            for (int j = 0; j < k; j++) {
                lp[i * k + j] /= s;
            }
            lse[i] = max + Math.log(s);
        }
        return lse;
    }

    @Override
    public Tensor logDensity(Tensor x) {
        requireParameters();
        int n = checkRows(x);
        double[] out = new double[n];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            double[] lse = normalizeRows(jointLogProb(rows(x, from, m), m), m, k);
            System.arraycopy(lse, 0, out, from, m);
        }
        return Tensor.ofDoubles(x.allocator(), out, n);
    }

    @Override
    public int clusters() {
        return k;
    }

    @Override
    public Tensor assignments(Tensor x) {
        requireParameters();
        int n = checkRows(x);
        double[] out = new double[n * k];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            double[] r = jointLogProb(rows(x, from, m), m);
            normalizeRows(r, m, k);
            System.arraycopy(r, 0, out, from * k, m * k);
        }
        return Tensor.ofDoubles(x.allocator(), out, n, k);
    }

    // ---- EM

    /** Means start at K distinct training rows averaged with the data's mean (clamped into the open interval). */
    @Override
    public void initialize(Tensor x, Rng rng) {
        int n = checkRows(x);
        if (n < k) {
            throw new IllegalArgumentException(BernoulliMixtureFamily.NAME + " with " + k + " components needs at least "
                    + k + " training examples, has " + n);
        }
        double[] mean = new double[d];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            double[] r = rows(x, from, m);
            for (int i = 0; i < m * d; i++) {
                mean[i % d] += r[i];
            }
        }
        for (int t = 0; t < d; t++) {
            mean[t] /= n;
        }
        int[] chosen = new int[k];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int j = 0; j < k; j++) {
            int r;
            do {
                r = rng.nextInt(n);
            } while (!seen.add(r));
            chosen[j] = r;
        }
        double[] means = new double[k * d];
        for (int j = 0; j < k; j++) {
            double[] row = rows(x, chosen[j], 1);
            for (int t = 0; t < d; t++) {
                means[j * d + t] = Math.min(1 - INIT_CLAMP, Math.max(INIT_CLAMP, 0.5 * row[t] + 0.5 * mean[t]));
            }
        }
        double[] pi = new double[k];
        Arrays.fill(pi, 1.0 / k);
        set(pi, means);
    }

    /**
     * E: responsibilities r_ik; M: pi_k = (N_k + alpha) / (N + K alpha), mu_kd = (sum_i r_ik x_id + alpha) / (N_k + 2
     * alpha). Returns the mean log-likelihood before the M step.
     */
    @Override
    public double emStep(Tensor x) {
        requireParameters();
        int n = checkRows(x);
        double[] nk = new double[k];
        double[] rx = new double[k * d];
        double total = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            double[] xs = rows(x, from, m);
            double[] r = jointLogProb(xs, m);
            double[] lse = normalizeRows(r, m, k);
            for (int i = 0; i < m; i++) {
                total += lse[i];
                for (int j = 0; j < k; j++) {
                    nk[j] += r[i * k + j];
                }
            }
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                double[] part = F.matmul(NdArray.wrap(r, m, k), NdArray.wrap(xs, m, d), true, false).d();
                for (int i = 0; i < k * d; i++) {
                    rx[i] += part[i];
                }
            }
        }
        double alpha = config.smoothing();
        double[] pi = new double[k];
        double[] means = new double[k * d];
        for (int j = 0; j < k; j++) {
            pi[j] = (nk[j] + alpha) / (n + k * alpha);
            for (int t = 0; t < d; t++) {
                means[j * d + t] = (rx[j * d + t] + alpha) / (nk[j] + 2 * alpha);
            }
        }
        set(pi, means);
        return total / n;
    }

    record Parameters(double[] pi, double[] mu) implements Snapshot {
    }

    @Override
    public Snapshot snapshot() {
        requireParameters();
        return new Parameters(weights(), mu.clone());
    }

    @Override
    public void restore(Snapshot snapshot) {
        if (!(snapshot instanceof Parameters p) || p.mu().length != k * d) {
            throw new IllegalArgumentException("not a snapshot of this model");
        }
        set(p.pi(), p.mu());
    }

    // ---- sampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        requireParameters();
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        double[] pi = weights();
        long[] shape = data.sampleShape();
        long[] full = new long[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor out = Tensor.allocate(allocator, DType.FLOAT32, full);
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int j = 0;
            for (double acc = pi[0]; acc < u && j < k - 1; acc += pi[++j]) {
            }
            for (int t = 0; t < d; t++) {
                out.setDouble((long) i * d + t, rng.nextDouble() < mu[j * d + t] ? 1 : 0);
            }
        }
        return out;
    }

    // ---- conditionals for coding

    @Override
    public int levels() {
        return 2;
    }

    @Override
    public int[] order() {
        int[] o = new int[d];
        for (int t = 0; t < d; t++) {
            o[t] = t;
        }
        return o;
    }

    /**
     * p(x_t | x_&lt;t) = sum_k w_k mu_kt with w the posterior over components given the pixels before t, carried as
     * s_k = log pi_k + sum_{u &lt; t} log p(x_u | k). Writes log p(x_t = 0) and log p(x_t = 1) into out[at], out[at+1].
     */
    private void conditional(double[] s, int t, double[] w, double[] out, int at) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            w[j] = StrictMath.exp(s[j] - max);
            sum += w[j];
        }
        double p1 = 0;
        double p0 = 0;
        for (int j = 0; j < k; j++) {
            p1 += w[j] * mu[j * d + t];
            p0 += w[j] * (1 - mu[j * d + t]);
        }
        out[at] = StrictMath.log(p0 / sum);
        out[at + 1] = StrictMath.log(p1 / sum);
    }

    private void advance(double[] s, int t, int value) {
        for (int j = 0; j < k; j++) {
            s[j] += value == 1 ? logMu[j * d + t] : log1mMu[j * d + t];
        }
    }

    @Override
    public Tensor conditionalLogProbabilities(Tensor x) {
        requireParameters();
        int n = checkRows(x);
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n, d, 2);
        double[] s = new double[k];
        double[] w = new double[k];
        double[] row = new double[2 * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(logPi, 0, s, 0, k);
            for (int t = 0; t < d; t++) {
                conditional(s, t, w, row, 2 * t);
                double v = x.getDouble((long) i * d + t);
                if (v != 0 && v != 1) {
                    out.close();
                    throw new IllegalArgumentException(BernoulliMixtureFamily.NAME + " models binary data; found " + v
                            + " at index " + ((long) i * d + t));
                }
                advance(s, t, (int) v);
            }
            out.buffer().nioBuffer((long) i * d * 16, d * 16).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer()
                    .put(row);
        }
        return out;
    }

    /** Carries each example's s from step to step: K work per example and step instead of the whole image again. */
    @Override
    public Decoder decoder(int n, long[] shape, BufferAllocator allocator) {
        requireParameters();
        double[][] s = new double[n][];
        for (int i = 0; i < n; i++) {
            s[i] = logPi.clone();
        }
        double[] w = new double[k];
        return new Decoder() {
            private int t;

            @Override
            public double[] next() {
                if (t >= d) {
                    throw new IllegalStateException("all " + d + " steps are decoded");
                }
                double[] out = new double[2 * n];
                for (int i = 0; i < n; i++) {
                    conditional(s[i], t, w, out, 2 * i);
                }
                return out;
            }

            @Override
            public void set(int[] values) {
                for (int i = 0; i < n; i++) {
                    advance(s[i], t, values[i]);
                }
                t++;
            }

            @Override
            public void close() {
            }
        };
    }

    // ---- persistence

    private Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("family", BernoulliMixtureFamily.NAME);
        try {
            m.put("config", JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put("dimension", Integer.toString(d));
        return m;
    }

    @Override
    public void save(Path directory) throws IOException {
        requireParameters();
        Files.createDirectories(directory);
        Checkpoint ck = Checkpoint.create().put("pi", NdArray.wrap(weights(), k)).put("mu", NdArray.wrap(mu.clone(), k, d));
        identity().forEach(ck::meta);
        ck.write(directory.resolve(FILE));
    }

    @Override
    public void load(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("incomplete " + BernoulliMixtureFamily.NAME + " checkpoint in " + directory + ": no "
                    + FILE);
        }
        Checkpoint ck = Checkpoint.read(file);
        for (Map.Entry<String, String> e : identity().entrySet()) {
            if (!e.getValue().equals(ck.metadata().get(e.getKey()))) {
                throw new IOException("the checkpoint in " + directory + " is of another model: " + e.getKey() + " is "
                        + ck.metadata().get(e.getKey()) + ", this model's is " + e.getValue());
            }
        }
        NdArray pi = ck.arrays().get("pi");
        NdArray means = ck.arrays().get("mu");
        if (pi == null || means == null || pi.size() != k || means.size() != k * d) {
            throw new IOException("the checkpoint in " + directory + " lacks pi [" + k + "] or mu [" + k + ", " + d + "]");
        }
        set(pi.toDoubleArray(), means.toDoubleArray());
    }
}
