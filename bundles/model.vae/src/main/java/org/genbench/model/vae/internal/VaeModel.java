package org.genbench.model.vae.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Autoencoding;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Representation;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.optim.TrainingState;

/**
 * A VAE (Kingma and Welling 2014) on the nn substrate: a {@link VaeNet} encoder and decoder, the reparameterized
 * z = mu + exp(log var / 2) eps, an analytic KL term, and a Bernoulli (logits) or Gaussian (mean sigmoid(logits),
 * fixed sigma) likelihood; gradients by nn's reverse mode, Adam in nn's {@link TrainingState}, so a checkpoint is
 * weights, moments and step count in one file and a resumed run continues with the same numbers. All noise comes
 * from the {@link Rng} passed in.
 */
class VaeModel implements Model, DirectSampling, LogDensityBound, Autoencoding, GradientTrainable, Persistent,
        Representation {
    static final String LATENT_MEAN = "latent-mean";
    static final String ENCODER_HIDDEN = "encoder-hidden";
    /** Rows per chunk when scoring: bounds memory at k samples per example. */
    private static final int SCORE_ROWS = 8192;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The family's settings in one type for both families. */
    record Settings(String architecture, int hidden, int latent, String likelihood, double sigma, int boundSamples,
                    String sampleOutput) {
        static Settings of(VaeFamily.Config c) {
            return new Settings(c.architecture(), c.hidden(), c.latent(), c.likelihood(), c.sigma(), c.boundSamples(),
                    c.sampleOutput());
        }
    }

    final String family;
    final Settings settings;
    final DataInfo data;
    final int d;
    final int classes;
    final int l;
    final DType dtype;
    final VaeNet net;
    final TrainingState training;

    /** {@code classes} is 0 for an unconditional model. */
    VaeModel(String family, Settings settings, DataInfo data, int classes, Rng rng) {
        this(family, settings, data, classes, rng, DType.F32);
    }

    /** With the element type: float64 serves the gradient checks. */
    VaeModel(String family, Settings settings, DataInfo data, int classes, Rng rng, DType dtype) {
        this.family = family;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.data = Objects.requireNonNull(data, "data");
        Objects.requireNonNull(rng, "rng");
        long dim = data.dimension();
        if (dim < 1 || dim > 1 << 24) {
            throw new IllegalArgumentException(family + " needs between 1 and " + (1 << 24)
                    + " values per example; dataset '" + data.name() + "' has " + dim);
        }
        if (settings.likelihood().equals(VaeConfig.BERNOULLI) && !DataInfo.BINARY.equals(data.kind())) {
            throw new IllegalArgumentException(family + " with likelihood 'bernoulli' models binary data; dataset '"
                    + data.name() + "' is " + data.kind() + " (binarize it, e.g. fashion-mnist's binarize 'threshold',"
                    + " or use likelihood 'gaussian')");
        }
        this.d = (int) dim;
        this.classes = classes;
        this.l = settings.latent();
        this.dtype = dtype;
        this.net = new VaeNet(settings.architecture(), data.sampleShape(), classes, settings.hidden(), l, dtype, rng);
        this.training = new TrainingState(net);
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return net.parameterCount();
    }

    @Override
    public int latentDimension() {
        return l;
    }

    @Override
    public String boundName() {
        return settings.boundSamples() == 1 ? "elbo" : "iwae-k" + settings.boundSamples();
    }

    @Override
    public long stepsTaken() {
        return training.steps();
    }

    // ---- GradientTrainable

    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        Objects.requireNonNull(step, "step");
        Map<String, Double> out;
        try (Graph g = Graph.record()) {
            NdArray x = rows(batch.x());
            int n = x.dim(0);
            if (n == 0) {
                throw new IllegalArgumentException("an empty batch");
            }
            NdArray y = oneHot(batch.label().orElse(null), n);
            NdArray loss = objective(x, y, NdArray.randn(rng, dtype, 1.0, n, l), step.regularizerWeight());
            loss.backward();
            out = lastValues;
        }
        training.apply(step);
        return out;
    }

    /** The values of the last {@link #objective}, read before its graph closes. */
    private Map<String, Double> lastValues;

    /**
     * The batch's mean loss -(reconstruction - weight * KL) for the noise {@code eps} [n, l], recorded for
     * differentiation when a graph is open; its parts land in {@link #lastValues}.
     */
    NdArray objective(NdArray x, NdArray y, NdArray eps, double beta) {
        NdArray[] enc = net.encode(x, y);
        NdArray mu = enc[0];
        NdArray logVar = enc[1];
        NdArray z = F.add(mu, F.mul(F.exp(F.mul(logVar, 0.5)), eps));
        NdArray recon = logLikelihood(x, net.decode(z, y));
        NdArray kl = Losses.gaussianKl(mu, logVar);
        NdArray loss = F.sub(F.mul(F.mean(kl), beta), F.mean(recon));
        double meanRecon = meanOf(recon);
        double meanKl = meanOf(kl);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", loss.item());
        values.put("elbo", meanRecon - meanKl);
        values.put("reconstruction", meanRecon);
        values.put("kl", meanKl);
        lastValues = values;
        return loss;
    }

    private static double meanOf(NdArray a) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += a.getFlat(i);
        }
        return sum / a.size();
    }

    /** log p(x | z) per row from the decoder's logits: Bernoulli, or Gaussian around sigmoid(logits). */
    NdArray logLikelihood(NdArray x, NdArray logits) {
        if (settings.likelihood().equals(VaeConfig.BERNOULLI)) {
            return Losses.bernoulliLogLik(logits, x);
        }
        return Losses.gaussianLogLik(x, F.sigmoid(logits), settings.sigma());
    }

    // ---- LogDensityBound

    /** Per example the ELBO (k = 1) or the IWAE bound with k = boundSamples, float64 {@code [n]}. */
    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        double[] b;
        try (Scope s = Scope.open()) {
            b = bound(rows(x), null, rng);
        }
        return Tensor.ofDoubles(x.allocator(), b, b.length);
    }

    /** The bound per example given one-hot labels (or none), chunked so that k copies of a chunk fit in memory. */
    double[] bound(NdArray x, NdArray y, Rng rng) {
        int n = x.dim(0);
        int k = settings.boundSamples();
        int chunk = Math.max(1, SCORE_ROWS / k);
        double[] out = new double[n];
        for (int start = 0; start < n; start += chunk) {
            int len = Math.min(chunk, n - start);
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray xs = F.narrow(x, 0, start, len);
                NdArray ys = y == null ? null : F.narrow(y, 0, start, len);
                double[] b = k == 1 ? elbo(xs, ys, rng) : iwae(xs, ys, k, rng);
                System.arraycopy(b, 0, out, start, len);
            }
        }
        return out;
    }

    private double[] elbo(NdArray x, NdArray y, Rng rng) {
        int n = x.dim(0);
        NdArray[] enc = net.encode(x, y);
        NdArray z = F.add(enc[0], F.mul(F.exp(F.mul(enc[1], 0.5)), NdArray.randn(rng, dtype, 1.0, n, l)));
        return F.sub(logLikelihood(x, net.decode(z, y)), Losses.gaussianKl(enc[0], enc[1])).toDoubleArray();
    }

    /** log (1/k) sum_i p(x, z_i) / q(z_i | x) with z_i ~ q(z | x): each example repeated k times, row i*k + j. */
    private double[] iwae(NdArray x, NdArray y, int k, Rng rng) {
        int n = x.dim(0);
        NdArray[] enc = net.encode(x, y);
        NdArray xr = repeatRows(x, k);
        NdArray yr = y == null ? null : repeatRows(y, k);
        NdArray mu = repeatRows(enc[0], k);
        NdArray logVar = repeatRows(enc[1], k);
        NdArray eps = NdArray.randn(rng, dtype, 1.0, n * k, l);
        NdArray z = F.add(mu, F.mul(F.exp(F.mul(logVar, 0.5)), eps));
        NdArray logPx = logLikelihood(xr, net.decode(z, yr));
        // log p(z) - log q(z | x) = sum(-z^2/2 + eps^2/2 + logVar/2); the 2 pi terms cancel.
        NdArray logPrior = F.add(F.add(F.mul(F.square(z), -0.5), F.mul(F.square(eps), 0.5)), F.mul(logVar, 0.5));
        NdArray logW = F.add(logPx, Losses.rowSums(logPrior));
        NdArray lse = F.logSumExp(F.reshape(logW, n, k), 1, false);
        double[] out = lse.toDoubleArray();
        for (int i = 0; i < n; i++) {
            out[i] -= Math.log(k);
        }
        return out;
    }

    private static NdArray repeatRows(NdArray a, int k) {
        int n = a.dim(0);
        int w = a.dim(1);
        return F.reshape(F.broadcastTo(F.reshape(a, n, 1, w), n, k, w), n * k, w);
    }

    // ---- DirectSampling, Autoencoding

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        return generate(n, null, rng, allocator);
    }

    /** z ~ N(0, I) through the decoder; {@code labels} (one class per sample) or null. */
    Tensor generate(int n, int[] labels, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + n);
        }
        Objects.requireNonNull(allocator, "allocator");
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray y = labels == null ? null : F.oneHot(labels, classes, dtype);
            NdArray z = NdArray.randn(rng, dtype, 1.0, n, l);
            NdArray mean = F.sigmoid(net.decode(z, y));
            if (settings.sampleOutput().equals(VaeConfig.DRAW)) {
                for (int i = 0; i < mean.size(); i++) {
                    double m = mean.getFlat(i);
                    mean.setFlat(i, settings.likelihood().equals(VaeConfig.BERNOULLI)
                            ? (rng.nextDouble() < m ? 1 : 0) : m + settings.sigma() * rng.nextGaussian());
                }
            }
            return F.reshape(mean.to(DType.F32), shape(n)).toTensor(allocator);
        }
    }

    @Override
    public Tensor encode(Tensor x, Tensor labels) {
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray xs = rows(x);
            return net.encode(xs, oneHot(labels, xs.dim(0)))[0].to(DType.F32).toTensor(x.allocator());
        }
    }

    @Override
    public Tensor decode(Tensor z, Tensor labels) {
        if (z.rank() != 2 || z.shape()[1] != l) {
            throw new IllegalArgumentException(family + " decodes codes shaped [n, " + l + "], got "
                    + Arrays.toString(z.shape()));
        }
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray zs = NdArray.fromTensor(z, dtype);
            NdArray mean = F.sigmoid(net.decode(zs, oneHot(labels, (int) z.rows())));
            return F.reshape(mean.to(DType.F32), shape((int) z.rows())).toTensor(z.allocator());
        }
    }

    // ---- Representation

    /** The posterior mean and the encoder's last hidden layer; none for a conditional model (its codes need the label). */
    @Override
    public Map<String, Integer> representations() {
        if (classes > 0) {
            return Map.of();
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(LATENT_MEAN, l);
        m.put(ENCODER_HIDDEN, net.hiddenWidth());
        return m;
    }

    @Override
    public Tensor represent(String name, Tensor x) {
        if (!representations().containsKey(name)) {
            throw new IllegalArgumentException(family + " has no representation '" + name + "'; available: "
                    + representations().keySet());
        }
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray xs = rows(x);
            NdArray r = name.equals(LATENT_MEAN) ? net.encode(xs, null)[0] : net.hidden(xs);
            return r.to(DType.F32).toTensor(x.allocator());
        }
    }

    // ---- Persistent

    /** The checkpoint's metadata: what must match for a checkpoint to load into this model. */
    private Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("family", family);
        try {
            m.put("config", JSON.writeValueAsString(settings));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put("dimension", Integer.toString(d));
        m.put("classes", Integer.toString(classes));
        return m;
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        training.save(directory, identity());
    }

    /** Loads into this model; another family, configuration or data shape, or a missing file, fails naming it. */
    @Override
    public void load(Path directory) throws IOException {
        if (!Files.isRegularFile(directory.resolve(TrainingState.FILE))) {
            throw new IOException("incomplete VAE checkpoint in " + directory + ": no " + TrainingState.FILE
                    + " (checkpoints of the earlier ND4J-based VAE cannot be loaded: retrain)");
        }
        training.load(directory, "VAE", identity());
    }

    // ---- plumbing

    long[] shape(long n) {
        long[] s = data.sampleShape();
        long[] out = new long[s.length + 1];
        out[0] = n;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    private int[] shape(int n) {
        long[] s = shape((long) n);
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (int) s[i];
        }
        return out;
    }

    /** x as [n, d] in the model's element type (a copy in the current scope). */
    NdArray rows(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() < 1 || x.rowSize() != d) {
            throw new IllegalArgumentException(family + " expects examples of " + d + " values shaped [n, "
                    + Arrays.toString(data.sampleShape()).replaceAll("[\\[\\]]", "") + "], got " + Arrays.toString(x.shape()));
        }
        return F.reshape(NdArray.fromTensor(x, dtype), (int) x.rows(), d);
    }

    /** Labels as one-hot rows for a conditional model; null for an unconditional one (which ignores labels). */
    NdArray oneHot(Tensor labels, int n) {
        if (classes == 0) {
            return null;
        }
        return F.oneHot(labelArray(labels, n), classes, dtype);
    }

    int[] labelArray(Tensor labels, int n) {
        if (labels == null) {
            throw new IllegalArgumentException(family + " is conditional: it needs the batch's labels");
        }
        if (labels.rows() != n || labels.size() != n) {
            throw new IllegalArgumentException(family + ": " + labels.size() + " labels for " + n + " examples");
        }
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            double v = labels.getDouble(i);
            if (v < 0 || v >= classes || v != Math.rint(v)) {
                throw new IllegalArgumentException(family + ": label " + v + " at " + i + " is not a class in 0.."
                        + (classes - 1));
            }
            c[i] = (int) v;
        }
        return c;
    }
}
