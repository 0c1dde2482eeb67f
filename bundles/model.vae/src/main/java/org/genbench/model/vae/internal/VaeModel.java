package org.genbench.model.vae.internal;

import java.io.IOException;
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
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A VAE in float32 ND4J arrays, its encoder and decoder an {@link MlpNet} or a {@link ConvNet}, y the one-hot label
 * of a conditional model (absent otherwise). The gradients of the negative ELBO are
 * written out (reparameterized z = mu + exp(log var / 2) eps, analytic KL) and Adam keeps its moments here, so
 * that a checkpoint is weights, moments and step count, and a resumed run continues with the same numbers. All noise
 * comes from the {@link Rng} passed in, none from ND4J's global generator.
 */
class VaeModel implements Model, DirectSampling, LogDensityBound, Autoencoding, GradientTrainable, Persistent {
    /** Rows per chunk when scoring: bounds memory at k samples per example. */
    private static final int SCORE_ROWS = 8192;
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /**
     * A step's temporaries live in a workspace that is reused step after step. Left to the garbage collector, their
     * off-heap memory outran it: a conv VAE grew past 17 GB before the collector ran (tiny heap objects, big native
     * buffers), and the machine killed it.
     */
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.2)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.EXTERNAL).build();

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
    final int h;
    final int l;
    final Net net;
    final INDArray[] params;
    final INDArray[] adamM;
    final INDArray[] adamV;
    long steps;
    /** Workspace names, unique to this model: one for training steps, one for everything else. */
    private final String trainSpace = "genbench-vae-train-" + System.identityHashCode(this);
    private final String evalSpace = "genbench-vae-eval-" + System.identityHashCode(this);

    /** {@code classes} is 0 for an unconditional model. */
    VaeModel(String family, Settings settings, DataInfo data, int classes, Rng rng) {
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
        this.h = settings.hidden();
        this.l = settings.latent();
        this.net = settings.architecture().equals(VaeConfig.CONV)
                ? new ConvNet(data.sampleShape(), classes, l)
                : new MlpNet(d, classes, h, l);
        long[][] shapes = net.shapes();
        params = new INDArray[shapes.length];
        adamM = new INDArray[shapes.length];
        adamV = new INDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            long[] s = shapes[i];
            // He initialization for the ReLU layers' inputs; biases start at zero.
            double scale = net.initScale(i);
            params[i] = scale > 0 ? gaussian(rng, s, scale) : Nd4j.zeros(DataType.FLOAT, s);
            adamM[i] = Nd4j.zeros(DataType.FLOAT, s);
            adamV[i] = Nd4j.zeros(DataType.FLOAT, s);
        }
    }

    String[] names() {
        return net.names();
    }

    long[][] shapes() {
        return net.shapes();
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return Arrays.stream(params).mapToLong(INDArray::length).sum();
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
        return steps;
    }

    // ---- GradientTrainable

    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        Objects.requireNonNull(step, "step");
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, trainSpace)) {
            INDArray x = rows(batch.x());
            int n = (int) x.rows();
            if (n == 0) {
                throw new IllegalArgumentException("an empty batch");
            }
            INDArray y = oneHot(batch.label().orElse(null), n);
            INDArray eps = gaussian(rng, new long[] {n, l}, 1.0);
            INDArray[] grads = new INDArray[params.length];
            Map<String, Double> out = lossAndGradients(x, y, eps, step.regularizerWeight(), grads);
            adam(grads, step);
            return out;
        }
    }

    /**
     * The batch's mean loss -(reconstruction - weight * KL) and its gradient in every parameter (into {@code grads}),
     * for the noise {@code eps} {@code [n, l]}.
     */
    Map<String, Double> lossAndGradients(INDArray x, INDArray y, INDArray eps, double beta, INDArray[] grads) {
        int n = (int) x.rows();
        Net.Pass enc = net.encode(params, x, y);
        INDArray mu = enc.out().get(NDArrayIndex.all(), NDArrayIndex.interval(0, l)).dup();
        INDArray logVar = enc.out().get(NDArrayIndex.all(), NDArrayIndex.interval(l, 2 * l)).dup();
        INDArray std = Transforms.exp(logVar.mul(0.5), false);
        INDArray z = mu.add(std.mul(eps));
        Net.Pass dec = net.decode(params, z, y);

        INDArray[] lik = logLikelihood(x, dec.out(), true);
        INDArray recon = lik[0];
        INDArray dLogits = lik[1].negi().divi(n); // d(-mean log p)/d logits
        INDArray kl = kl(mu, logVar);

        INDArray dz = net.decoderBackward(params, dec, dLogits, grads);
        // KL = 1/2 sum(exp(lv) + mu^2 - 1 - lv): d/dmu = mu, d/dlv = (exp(lv) - 1) / 2; z adds dz and dz * eps * std / 2.
        INDArray dMu = dz.add(mu.mul(beta / n));
        INDArray dLogVar = dz.mul(eps).muli(std).muli(0.5).addi(std.mul(std).subi(1).muli(0.5 * beta / n));
        net.encoderBackward(params, enc, Nd4j.hstack(dMu, dLogVar), grads);

        double meanRecon = recon.meanNumber().doubleValue();
        double meanKl = kl.meanNumber().doubleValue();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", -meanRecon + beta * meanKl);
        out.put("elbo", meanRecon - meanKl);
        out.put("reconstruction", meanRecon);
        out.put("kl", meanKl);
        return out;
    }

    /** Adam with bias correction, in place on the parameters and moments. */
    private void adam(INDArray[] grads, Step s) {
        steps++;
        double c1 = 1 - Math.pow(s.adam().beta1(), steps);
        double c2 = 1 - Math.pow(s.adam().beta2(), steps);
        for (int i = 0; i < params.length; i++) {
            INDArray g = grads[i].reshape(params[i].shape());
            adamM[i].muli(s.adam().beta1()).addi(g.mul(1 - s.adam().beta1()));
            adamV[i].muli(s.adam().beta2()).addi(g.mul(g).muli(1 - s.adam().beta2()));
            INDArray denom = Transforms.sqrt(adamV[i].div(c2), false).addi(s.adam().epsilon());
            params[i].subi(adamM[i].mul(s.adam().learningRate() / c1).divi(denom));
        }
    }

    // ---- LogDensityBound

    /** Per example the ELBO (k = 1) or the IWAE bound with k = boundSamples, float64 {@code [n]}. */
    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        return Nd4jArrow.toTensor(Nd4j.create(bound(rows(x), null, rng), new long[] {x.rows()}, DataType.DOUBLE),
                x.allocator());
    }

    /** The bound per example given labels (or none), chunked so that k copies of a chunk fit in memory. */
    double[] bound(INDArray x, INDArray y, Rng rng) {
        int n = (int) x.rows();
        int k = settings.boundSamples();
        int chunk = Math.max(1, SCORE_ROWS / k);
        double[] out = new double[n];
        for (int start = 0; start < n; start += chunk) {
            int len = Math.min(chunk, n - start);
            INDArray xs = x.get(NDArrayIndex.interval(start, start + len), NDArrayIndex.all());
            INDArray ys = y == null ? null : y.get(NDArrayIndex.interval(start, start + len), NDArrayIndex.all());
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, evalSpace)) {
                double[] b = k == 1 ? elbo(xs, ys, rng) : iwae(xs, ys, k, rng);
                System.arraycopy(b, 0, out, start, len);
            }
        }
        return out;
    }

    private double[] elbo(INDArray x, INDArray y, Rng rng) {
        int n = (int) x.rows();
        INDArray[] enc = encode(x, y);
        INDArray eps = gaussian(rng, new long[] {n, l}, 1.0);
        INDArray z = enc[0].add(Transforms.exp(enc[1].mul(0.5), false).muli(eps));
        INDArray recon = logLikelihood(x, decodeLogits(z, y), false)[0];
        return recon.subi(kl(enc[0], enc[1])).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** log (1/k) sum_i p(x, z_i) / q(z_i | x) with z_i ~ q(z | x): each example repeated k times, row i*k + j. */
    private double[] iwae(INDArray x, INDArray y, int k, Rng rng) {
        int n = (int) x.rows();
        INDArray[] enc = encode(x, y);
        INDArray xr = repeatRows(x, k);
        INDArray yr = y == null ? null : repeatRows(y, k);
        INDArray mu = repeatRows(enc[0], k);
        INDArray logVar = repeatRows(enc[1], k);
        INDArray eps = gaussian(rng, new long[] {(long) n * k, l}, 1.0);
        INDArray z = mu.add(Transforms.exp(logVar.mul(0.5), false).muli(eps));
        INDArray logPx = logLikelihood(xr, decodeLogits(z, yr), false)[0];
        // log p(z) - log q(z | x) = sum(-z^2/2 + eps^2/2 + logVar/2); the 2 pi terms cancel.
        INDArray logW = logPx.addi(z.mul(z).muli(-0.5).addi(eps.mul(eps).muli(0.5)).addi(logVar.mul(0.5)).sum(1));
        double[] w = logW.castTo(DataType.DOUBLE).toDoubleVector();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, w[i * k + j]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.exp(w[i * k + j] - max);
            }
            out[i] = max + Math.log(s) - Math.log(k);
        }
        return out;
    }

    // ---- DirectSampling, Autoencoding

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        return generate(n, null, rng, allocator);
    }

    /** z ~ N(0, I) through the decoder; {@code y} one-hot or null. */
    Tensor generate(int n, INDArray y, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + n);
        }
        Objects.requireNonNull(allocator, "allocator");
        if (n == 0) {
            return Tensor.allocate(allocator, DType.FLOAT32, shape(0));
        }
        INDArray mean;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, evalSpace)) {
            INDArray z = gaussian(rng, new long[] {n, l}, 1.0);
            mean = mean(decodeLogits(z, y)).detach();
        }
        if (settings.sampleOutput().equals(VaeConfig.DRAW)) {
            float[] m = mean.data().asFloat();
            for (int i = 0; i < m.length; i++) {
                m[i] = settings.likelihood().equals(VaeConfig.BERNOULLI)
                        ? (rng.nextDouble() < m[i] ? 1f : 0f)
                        : (float) (m[i] + settings.sigma() * rng.nextGaussian());
            }
            mean = Nd4j.create(m, new long[] {n, d}, 'c');
        }
        return Nd4jArrow.toTensor(mean.reshape('c', shape(n)), allocator);
    }

    @Override
    public Tensor encode(Tensor x, Tensor labels) {
        INDArray mu;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, evalSpace)) {
            INDArray xs = rows(x);
            mu = encode(xs, oneHot(labels, (int) xs.rows()))[0].detach();
        }
        return Nd4jArrow.toTensor(mu, x.allocator());
    }

    @Override
    public Tensor decode(Tensor z, Tensor labels) {
        if (z.rank() != 2 || z.shape()[1] != l) {
            throw new IllegalArgumentException(family + " decodes codes shaped [n, " + l + "], got "
                    + Arrays.toString(z.shape()));
        }
        INDArray mean;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, evalSpace)) {
            INDArray zs = Nd4jArrow.view(z).castTo(DataType.FLOAT);
            mean = mean(decodeLogits(zs, oneHot(labels, (int) z.rows()))).detach();
        }
        return Nd4jArrow.toTensor(mean.reshape('c', shape(z.rows())), z.allocator());
    }

    // ---- the network

    /** {mu, log var}, each {@code [n, l]}. */
    INDArray[] encode(INDArray x, INDArray y) {
        INDArray enc = net.encode(params, x, y).out();
        return new INDArray[] {enc.get(NDArrayIndex.all(), NDArrayIndex.interval(0, l)).dup(),
            enc.get(NDArrayIndex.all(), NDArrayIndex.interval(l, 2 * l)).dup()};
    }

    INDArray decodeLogits(INDArray z, INDArray y) {
        return net.decode(params, z, y).out();
    }

    /** E[x | z]: sigmoid of the decoder's output for both likelihoods. */
    private static INDArray mean(INDArray logits) {
        return Transforms.sigmoid(logits, false);
    }

    /**
     * log p(x | z) per row and, when asked, its gradient in the logits. Bernoulli: x l - softplus(l), written as
     * x l - max(l, 0) - log(1 + exp(-|l|)) so that large logits neither overflow nor lose precision. Gaussian: mean
     * m = sigmoid(l), log N(x; m, sigma^2) summed over the values.
     */
    INDArray[] logLikelihood(INDArray x, INDArray logits, boolean gradient) {
        if (settings.likelihood().equals(VaeConfig.BERNOULLI)) {
            INDArray softplus = Transforms.relu(logits, true)
                    .addi(Transforms.log(Transforms.exp(Transforms.abs(logits, true).negi(), false).addi(1), false));
            INDArray lp = x.mul(logits).subi(softplus).sum(1);
            return new INDArray[] {lp, gradient ? x.sub(Transforms.sigmoid(logits, true)) : null};
        }
        double s2 = settings.sigma() * settings.sigma();
        INDArray m = Transforms.sigmoid(logits, true);
        INDArray r = x.sub(m);
        INDArray lp = r.mul(r).muli(-0.5 / s2).sum(1).subi(d * (Math.log(settings.sigma()) + 0.5 * LOG_2PI));
        INDArray g = gradient ? r.divi(s2).muli(m).muli(m.rsub(1)) : null;
        return new INDArray[] {lp, g};
    }

    /** KL(N(mu, exp(lv)) || N(0, I)) per row. */
    private static INDArray kl(INDArray mu, INDArray logVar) {
        return Transforms.exp(logVar, true).addi(mu.mul(mu)).subi(1).subi(logVar).sum(1).muli(0.5);
    }

    /** Frees this model's workspaces (they belong to the thread that used them: the run's). */
    @Override
    public void close() {
        for (String id : new String[] {trainSpace, evalSpace}) {
            if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id).destroyWorkspace();
            }
        }
    }

    // ---- Persistent

    @Override
    public void save(Path directory) throws IOException {
        VaeCheckpoint.write(directory, this);
    }

    @Override
    public void load(Path directory) throws IOException {
        VaeCheckpoint.read(directory, this);
    }

    // ---- plumbing

    long[] shape(long n) {
        long[] s = data.sampleShape();
        long[] out = new long[s.length + 1];
        out[0] = n;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** x as float32 {@code [n, d]}: a view of float32 input (never written to), a copy of anything else. */
    INDArray rows(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() < 1 || x.rowSize() != d) {
            throw new IllegalArgumentException(family + " expects examples of " + d + " values shaped [n, "
                    + Arrays.toString(data.sampleShape()).replaceAll("[\\[\\]]", "") + "], got " + Arrays.toString(x.shape()));
        }
        INDArray v = Nd4jArrow.view(x).reshape('c', x.rows(), d);
        return x.dtype() == DType.FLOAT32 ? v : v.castTo(DataType.FLOAT);
    }

    /** Labels as one-hot rows for a conditional model; null for an unconditional one (which ignores labels). */
    INDArray oneHot(Tensor labels, int n) {
        if (classes == 0) {
            return null;
        }
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
        return oneHot(c);
    }

    INDArray oneHot(int[] labels) {
        float[] y = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            y[i * classes + labels[i]] = 1f;
        }
        return Nd4j.create(y, new long[] {labels.length, classes}, 'c');
    }

    private static INDArray repeatRows(INDArray a, int k) {
        long n = a.rows();
        long w = a.columns();
        // [n, w] -> [n, k, w] by broadcasting a [n, 1, w] view, then rows i*k + j.
        return a.reshape('c', n, 1, w).broadcast(n, k, w).dup('c').reshape('c', n * k, w);
    }

    /** Standard normal times {@code scale}, drawn from {@code rng} (never ND4J's global generator). */
    static INDArray gaussian(Rng rng, long[] shape, double scale) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * scale);
        }
        return Nd4j.create(v, shape, 'c');
    }
}
