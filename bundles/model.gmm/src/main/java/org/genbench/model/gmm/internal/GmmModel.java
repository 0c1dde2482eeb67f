package org.genbench.model.gmm.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A Gaussian mixture with any of scikit-learn's covariance structures, computed in float64 with ND4J the way
 * scikit-learn's GaussianMixture does: full and tied log densities through precision Cholesky factors, diagonal and
 * spherical ones through the expanded square as two matrix products, log-sum-exp over components, and the M step
 * with scikit-learn's formulas for each structure. Parameters are immutable snapshots swapped atomically, so
 * evaluating (sampling, scoring) from several threads is safe; fitting is not meant to run concurrently with
 * anything else.
 *
 * <p>Work arrays are component-major ({@code [k*d, n]}, {@code [k, n]}, {@code [d, n]}: one row per component or
 * coordinate, one column per point). Every broadcast and reduction then runs along contiguous rows, which in ND4J
 * is several times faster than along the strided columns of the row-per-point layout.
 */
final class GmmModel implements Model, LogDensity, Score, Energy, DirectSampling, EmFittable, Persistent, Clustering {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** scikit-learn adds 10 * float64 machine epsilon to every component's responsibility mass. */
    private static final double MASS_EPS = 10 * Math.ulp(1.0);
    private static final double EXP_FLOOR = -700;

    private final GmmFamily.Config config;
    private final CovarianceType type;
    private final DataInfo data;
    private final int k;
    private final int d;
    private volatile State state;
    private EmBuffers buffers;

    /**
     * Parameters with their ND4J forms. Full and tied: {@code factors} {@code [d, k*d]} whose column block j is P_j
     * (tied repeats its one P), {@code shifts} {@code [k*d, 1]} with block j P_j^T mu_j, and {@code normalizers}
     * {@code [k, 1]} log w_j - d/2 log 2 pi + log|P_j|, so that one product whitens x for all components at once.
     * Diagonal and spherical: {@code factors} {@code [k, d]} the precisions q_ja = P_ja^2 (spherical repeats its
     * one value), {@code shifts} {@code [k, d]} q_ja mu_ja, and {@code normalizers} as above less
     * 1/2 sum_a q_ja mu_ja^2, for log N = -1/2 (q.x^2 - 2 (q mu).x) + normalizer.
     */
    private record State(GmmParameters params, INDArray factors, INDArray shifts, INDArray normalizers) {
    }

    GmmModel(GmmFamily.Config config, DataInfo data) {
        this.config = Objects.requireNonNull(config, "config");
        this.type = config.covarianceType();
        this.data = Objects.requireNonNull(data, "data");
        this.k = config.components();
        this.d = Math.toIntExact(data.dimension());
    }

    /** A model with the given parameters, for tests and reference comparisons. */
    static GmmModel fromParameters(GmmFamily.Config config, DataInfo data, double[] weights, double[][] means,
                                   double[][][] covariances) {
        return fromParameters(config, data, new GmmParameters(weights, means, covariances));
    }

    /** A model with the given parameters, which must have the config's covariance structure. */
    static GmmModel fromParameters(GmmFamily.Config config, DataInfo data, GmmParameters p) {
        GmmModel m = new GmmModel(config, data);
        if (p.type() != m.type) {
            throw new IllegalArgumentException("parameters are " + p.type().label + "; the model is " + m.type.label);
        }
        if (p.components() != m.k || p.dimension() != m.d) {
            throw new IllegalArgumentException("parameters have k=" + p.components() + ", d=" + p.dimension()
                    + "; the model has k=" + m.k + ", d=" + m.d);
        }
        m.setParameters(p);
        return m;
    }

    /** The current parameters; fails if there are none yet. */
    GmmParameters parameters() {
        return requireState().params();
    }

    @Override
    public DataInfo data() {
        return data;
    }

    /** Free parameters, as scikit-learn's {@code _n_parameters} counts them. */
    @Override
    public long parameterCount() {
        return type.parameterCount(k, d);
    }

    // ---- LogDensity, Energy, Score

    @Override
    public Tensor logDensity(Tensor x) {
        return perRow(x, false);
    }

    /** -log p(x) of the normalized density, so samplers that use it target p exactly. */
    @Override
    public Tensor energy(Tensor x) {
        return perRow(x, true);
    }

    @Override
    public Tensor score(Tensor x) {
        return gradient(x, false);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        return gradient(x, true);
    }

    // ---- Clustering

    @Override
    public int clusters() {
        return k;
    }

    /** The posterior of each component, r_ij = w_j N(x_i; mu_j, Sigma_j) / p(x_i), float64 [n, k]. */
    @Override
    public Tensor assignments(Tensor x) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            return Tensor.allocate(x.allocator(), DType.FLOAT64, 0, k);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xT = scratch.add(transposed(x, scratch));
            INDArray lpT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, n));
            weightedLogProb(s, xT, lpT, null, false, scratch);
            scratch.add(logSumExpInPlace(lpT, true, scratch));
            return Nd4jArrow.toTensor(lpT.transpose().dup('c'), x.allocator());
        }
    }

    private Tensor perRow(Tensor x, boolean negate) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            return Tensor.allocate(x.allocator(), DType.FLOAT64, 0);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xT = scratch.add(transposed(x, scratch));
            INDArray lpT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, n));
            weightedLogProb(s, xT, lpT, null, false, scratch);
            INDArray out = logSumExpInPlace(lpT, false, scratch);
            if (negate) {
                out.negi();
            }
            return Nd4jArrow.toTensor(out.reshape(n), x.allocator());
        }
    }

    /**
     * grad log p(x) = sum_j r_j(x) (-Sigma_j^-1 (x - mu_j)). Full and tied: with the whitened residual
     * y_j = P_j^T (x - mu_j), Sigma_j^-1 (x - mu_j) = P_j y_j, so the sum over components is one product of the
     * stacked P_j with the responsibility-weighted residuals. Diagonal and spherical: Sigma_j^-1 (x - mu_j) =
     * q_j x - q_j mu_j, so the sum is R (q mu) - x (R q) with R the responsibilities.
     */
    private Tensor gradient(Tensor x, boolean negate) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            return Tensor.allocate(x.allocator(), DType.FLOAT64, 0, d);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xT = scratch.add(transposed(x, scratch));
            INDArray lpT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, n));
            INDArray g = Nd4j.createUninitialized(DataType.DOUBLE, n, d);
            if (type.isMatrix()) {
                INDArray yT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n));
                weightedLogProb(s, xT, lpT, yT, true, scratch);
                scratch.add(logSumExpInPlace(lpT, true, scratch));
                INDArray y3 = yT.reshape('c', k, d, n);
                Nd4j.getExecutioner().exec(new BroadcastMulOp(y3, lpT, y3, 0, 2));
                Nd4j.gemm(yT, s.factors(), g, true, true, negate ? 1.0 : -1.0, 0.0);
            } else {
                weightedLogProb(s, xT, lpT, null, false, scratch);
                scratch.add(logSumExpInPlace(lpT, true, scratch));
                INDArray rq = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, n, d));
                Nd4j.gemm(lpT, s.factors(), rq, true, false, 1.0, 0.0);
                rq.muli(xT.transpose());
                Nd4j.gemm(lpT, s.shifts(), g, true, false, 1.0, 0.0);
                g.subi(rq);
                if (negate) {
                    g.negi();
                }
            }
            return Nd4jArrow.toTensor(g, x.allocator());
        }
    }

    // ---- DirectSampling

    /**
     * Component j with probability w_j, then mu_j + L_j z with Sigma_j = L_j L_j^T (diagonal and spherical: mu_j +
     * sigma_j z elementwise) and z standard normal.
     */
    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, was " + n);
        }
        Objects.requireNonNull(rng, "rng");
        GmmParameters p = requireState().params();
        double[] cumulative = new double[k];
        double total = 0;
        int lastPositive = 0;
        for (int j = 0; j < k; j++) {
            total += p.weight(j);
            cumulative[j] = total;
            if (p.weight(j) > 0) {
                lastPositive = j;
            }
        }
        double[][] means = p.means();
        boolean matrix = type.isMatrix();
        double[][] sds = new double[k][];
        for (int j = 0; j < k && !matrix; j++) {
            sds[j] = p.standardDeviations(j);
        }
        double[] z = new double[d];
        Tensor out = Tensor.allocate(allocator, DType.FLOAT64, n, d);
        try {
            ArrowBuf buf = out.buffer();
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble() * total;
                int j = lastPositive;
                for (int c = 0; c < k; c++) {
                    if (u < cumulative[c]) {
                        j = c;
                        break;
                    }
                }
                for (int a = 0; a < d; a++) {
                    z[a] = rng.nextGaussian();
                }
                long row = (long) i * d;
                if (matrix) {
                    double[][] l = p.covarianceCholesky(j);
                    for (int a = 0; a < d; a++) {
                        double v = means[j][a];
                        for (int b = 0; b <= a; b++) {
                            v += l[a][b] * z[b];
                        }
                        buf.setDouble((row + a) * Double.BYTES, v);
                    }
                } else {
                    double[] sd = sds[j];
                    for (int a = 0; a < d; a++) {
                        buf.setDouble((row + a) * Double.BYTES, means[j][a] + sd[a] * z[a]);
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    // ---- EmFittable

    /**
     * As scikit-learn's {@code _initialize_parameters}: responsibilities from {@code init}, an M step on them (weights
     * N_j / n), then the given {@code weightsInit}, {@code meansInit} and {@code precisionsInit} replace what they
     * name. With all three given nothing is estimated and {@code rng} is not used.
     */
    @Override
    public void initialize(Tensor x, Rng rng) {
        Objects.requireNonNull(rng, "rng");
        int n = checkRows(x);
        if (n < k) {
            throw new IllegalArgumentException("gmm with components=" + k + " needs at least " + k
                    + " training points, got " + n);
        }
        double[] weights = config.weightsInit();
        double[][] means = config.meansInit();
        double[][][] covariances = null;
        if (weights == null || means == null || config.precisionsInit() == null) {
            try (Scratch scratch = new Scratch()) {
                INDArray xs = asDoubles(x, scratch);
                INDArray resp = switch (config.init()) {
                    case GmmFamily.KMEANS_PLUS_PLUS -> KMeans.hardResponsibilities(xs, k, config.kmeansIterations(),
                            rng, scratch);
                    case GmmFamily.RANDOM -> scratch.add(randomResponsibilities(n, rng));
                    default -> throw new IllegalStateException("unknown init " + config.init());
                };
                EmBuffers b = emBuffers(n);
                b.xT.assign(xs.transpose());
                b.respT.assign(resp.transpose());
                Estimate e = estimate(b, scratch);
                double[] w = new double[k];
                for (int j = 0; j < k; j++) {
                    w[j] = e.nk()[j] / n;
                }
                weights = weights == null ? w : weights;
                means = means == null ? e.means() : means;
                covariances = e.covariances();
            }
        }
        setParameters(config.precisionsInit() != null
                ? GmmParameters.fromPrecisions(type, weights, means, type.toBlocks(config.precisionsInit()))
                : GmmParameters.fromCovariances(type, weights, means, covariances));
    }

    /** As scikit-learn's {@code init_params='random'}: uniform draws normalized per row. */
    private INDArray randomResponsibilities(int n, Rng rng) {
        double[] r = new double[Math.multiplyExact(n, k)];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                r[i * k + j] = rng.nextDouble();
                sum += r[i * k + j];
            }
            for (int j = 0; j < k; j++) {
                r[i * k + j] /= sum;
            }
        }
        return Nd4j.create(r, new long[] {n, k}, DataType.DOUBLE);
    }

    @Override
    public double emStep(Tensor x) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            throw new IllegalArgumentException("an EM step needs at least one point, got none");
        }
        EmBuffers b = emBuffers(n);
        try (Scratch scratch = new Scratch()) {
            b.xT.assign(asDoubles(x, scratch).transpose());
            weightedLogProb(s, b.xT, b.respT, b.yT, false, scratch);
            INDArray lse = scratch.add(logSumExpInPlace(b.respT, true, scratch));
            double meanLogLikelihood = lse.meanNumber().doubleValue();
            Estimate e = estimate(b, scratch);
            double total = 0;
            for (double v : e.nk()) {
                total += v;
            }
            double[] weights = new double[k];
            for (int j = 0; j < k; j++) {
                weights[j] = e.nk()[j] / total;
            }
            setParameters(GmmParameters.fromCovariances(type, weights, e.means(), e.covariances()));
            return meanLogLikelihood;
        }
    }

    @Override
    public EmFittable.Snapshot snapshot() {
        return requireState().params();
    }

    @Override
    public void restore(EmFittable.Snapshot snapshot) {
        if (!(snapshot instanceof GmmParameters p) || p.type() != type || p.components() != k || p.dimension() != d) {
            throw new IllegalArgumentException("not a snapshot of this gmm (" + type.label + ", k=" + k + ", d=" + d
                    + "): " + snapshot);
        }
        setParameters(p);
    }

    /** Responsibility masses N_j (with scikit-learn's 10 eps), means and covariance blocks. */
    private record Estimate(double[] nk, double[][] means, double[][][] covariances) {
    }

    /**
     * scikit-learn's {@code _estimate_gaussian_parameters} on the responsibilities in {@code b.respT} and the points
     * in {@code b.xT}, with {@code regCovar} on the diagonal: N_j = sum_i r_ij + 10 eps, mu_j = sum_i r_ij x_i / N_j,
     * and per structure: full Sigma_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j; tied (X^T X - sum_j N_j mu_j
     * mu_j^T) / sum_j N_j; diag sum_i r_ij x_i^2 / N_j - 2 mu_j (sum_i r_ij x_i) / N_j + mu_j^2; spherical the mean of
     * the diagonal over coordinates.
     */
    private Estimate estimate(EmBuffers b, Scratch scratch) {
        INDArray nkArray = scratch.add(b.respT.sum(1));
        double[] nk = nkArray.toDoubleVector();
        for (int j = 0; j < k; j++) {
            nk[j] += MASS_EPS;
        }
        INDArray sumsArray = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, d));
        Nd4j.gemm(b.respT, b.xT, sumsArray, false, true, 1.0, 0.0);
        double[][] sums = sumsArray.toDoubleMatrix();
        double[][] means = new double[k][d];
        for (int j = 0; j < k; j++) {
            for (int a = 0; a < d; a++) {
                means[j][a] = sums[j][a] / nk[j];
            }
        }
        double reg = config.regCovar();
        double[][][] blocks = new double[type.blocks(k)][][];
        switch (type) {
            case FULL -> {
                INDArray mu = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, d, 1));
                INDArray cov = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, d, d));
                for (int j = 0; j < k; j++) {
                    for (int a = 0; a < d; a++) {
                        mu.putScalar(a, 0, means[j][a]);
                    }
                    b.diffT.assign(b.xT).subiColumnVector(mu);
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(b.diffT, b.respT.getRow(j), b.weightedT, 1));
                    Nd4j.gemm(b.weightedT, b.diffT, cov, false, true, 1.0, 0.0);
                    double[][] c = cov.toDoubleMatrix();
                    for (int a = 0; a < d; a++) {
                        for (int e = 0; e < d; e++) {
                            c[a][e] /= nk[j];
                        }
                        c[a][a] += reg;
                    }
                    blocks[j] = c;
                }
            }
            case TIED -> {
                INDArray xx = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, d, d));
                Nd4j.gemm(b.xT, b.xT, xx, false, true, 1.0, 0.0);
                double[][] c = xx.toDoubleMatrix();
                double total = 0;
                for (int j = 0; j < k; j++) {
                    total += nk[j];
                }
                for (int a = 0; a < d; a++) {
                    for (int e = 0; e < d; e++) {
                        double m2 = 0;
                        for (int j = 0; j < k; j++) {
                            m2 += nk[j] * means[j][a] * means[j][e];
                        }
                        c[a][e] = (c[a][e] - m2) / total;
                    }
                    c[a][a] += reg;
                }
                blocks[0] = c;
            }
            case DIAG, SPHERICAL -> {
                b.diffT.assign(b.xT).muli(b.xT);
                INDArray s2 = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, d));
                Nd4j.gemm(b.respT, b.diffT, s2, false, true, 1.0, 0.0);
                double[][] sq = s2.toDoubleMatrix();
                for (int j = 0; j < k; j++) {
                    double[] v = new double[d];
                    for (int a = 0; a < d; a++) {
                        double avgX2 = sq[j][a] / nk[j];
                        double avgXMeans = means[j][a] * sums[j][a] / nk[j];
                        v[a] = avgX2 - 2 * avgXMeans + means[j][a] * means[j][a] + reg;
                    }
                    if (type == CovarianceType.DIAG) {
                        blocks[j] = new double[][] {v};
                    } else {
                        double sum = 0;
                        for (double e : v) {
                            sum += e;
                        }
                        blocks[j] = new double[][] {{sum / d}};
                    }
                }
            }
            default -> throw new IllegalStateException("unknown covariance type " + type);
        }
        return new Estimate(nk, means, blocks);
    }

    /**
     * Arrays of n columns that every EM step needs, kept from one step to the next: allocating them afresh cost more
     * than the arithmetic on them (tens of MB per step, each page faulted in again), and preallocated C-order
     * outputs keep ND4J's gemm off its slower allocate-then-reorder path. Only fitting uses them, and fitting is
     * single-threaded; density and score evaluation allocate their own. {@code yT} (whitened points, full and tied
     * only) and {@code weightedT} (full only) are null for the structures that do not use them.
     */
    private static final class EmBuffers {
        final long n;
        final INDArray xT;
        final INDArray yT;
        final INDArray respT;
        final INDArray diffT;
        final INDArray weightedT;

        EmBuffers(long n, int k, int d, CovarianceType type) {
            this.n = n;
            xT = Nd4j.createUninitialized(DataType.DOUBLE, d, n);
            yT = type.isMatrix() ? Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n) : null;
            respT = Nd4j.createUninitialized(DataType.DOUBLE, k, n);
            diffT = Nd4j.createUninitialized(DataType.DOUBLE, d, n);
            weightedT = type == CovarianceType.FULL ? Nd4j.createUninitialized(DataType.DOUBLE, d, n) : null;
        }

        void release() {
            for (INDArray a : new INDArray[] {xT, yT, respT, diffT, weightedT}) {
                if (a != null && a.closeable()) {
                    a.close();
                }
            }
        }
    }

    private EmBuffers emBuffers(long n) {
        EmBuffers b = buffers;
        if (b == null || b.n != n) {
            if (b != null) {
                b.release();
            }
            b = new EmBuffers(n, k, d, type);
            buffers = b;
        }
        return b;
    }

    /** Frees the fitting buffers now rather than when the collector gets to them; the parameters stay usable. */
    @Override
    public void close() {
        EmBuffers b = buffers;
        buffers = null;
        if (b != null) {
            b.release();
        }
    }

    // ---- Persistent

    @Override
    public void save(Path directory) throws IOException {
        GmmCheckpoint.write(directory, config, requireState().params());
    }

    @Override
    public void load(Path directory) throws IOException {
        setParameters(GmmCheckpoint.read(directory, config, d));
    }

    // ---- the vectorized E step

    /**
     * lpT {@code [k, n]} = log w_j + log N(x_i | mu_j, Sigma_j), as scikit-learn's {@code _estimate_weighted_log_prob}.
     * Full and tied whiten into {@code yT} ({@code [k*d, n]}, or a temporary when null); with {@code keepResiduals}
     * it still holds the whitened residuals P_j^T (x_i - mu_j) afterwards, which the score needs.
     */
    private void weightedLogProb(State s, INDArray xT, INDArray lpT, INDArray yT, boolean keepResiduals,
                                 Scratch scratch) {
        long n = xT.columns();
        if (type.isMatrix()) {
            INDArray y = yT != null ? yT : scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n));
            whiten(s, xT, y);
            INDArray squares = keepResiduals ? scratch.add(y.mul(y)) : y.muli(y);
            squares.reshape('c', k, d, n).sum(lpT, 1);
            if (keepResiduals) {
                scratch.free(squares);
            }
        } else {
            INDArray x2T = scratch.add(xT.mul(xT));
            Nd4j.gemm(s.factors(), x2T, lpT, false, false, 1.0, 0.0);
            scratch.free(x2T);
            Nd4j.gemm(s.shifts(), xT, lpT, false, false, -2.0, 1.0);
        }
        lpT.muli(-0.5).addiColumnVector(s.normalizers());
    }

    /** yT {@code [k*d, n]}: rows j*d .. j*d+d-1 hold P_j^T (x - mu_j) for every point i. */
    private static void whiten(State s, INDArray xT, INDArray yT) {
        Nd4j.gemm(s.factors(), xT, yT, true, false, 1.0, 0.0);
        yT.subiColumnVector(s.shifts());
    }

    /**
     * Returns lse_i = log sum_j exp(lp_ji) as {@code [1, n]} and overwrites lpT with exp(lp - column max), or with
     * {@code responsibilities} with exp(lp - lse), the posterior of each component. Shifting by the maximum keeps
     * exp from overflowing, and one exp pass serves both results (exp dominates the E step's elementwise work).
     *
     * <p>Shifted values are floored at {@value #EXP_FLOOR}: below about -708 exp returns subnormals, and ND4J's exp
     * runs about 5 times slower there, which with well-separated components is most entries. The floor changes
     * nothing: each column holds exp(0) = 1, and exp(-700) < 1e-304 vanishes beside it in float64.
     */
    private static INDArray logSumExpInPlace(INDArray lpT, boolean responsibilities, Scratch scratch) {
        INDArray max = scratch.add(lpT.max(true, 0));
        lpT.subiRowVector(max);
        Transforms.max(lpT, EXP_FLOOR, false);
        Transforms.exp(lpT, false);
        INDArray sum = lpT.sum(true, 0);
        if (responsibilities) {
            lpT.diviRowVector(sum);
        }
        Transforms.log(sum, false);
        return sum.addi(max);
    }

    // ---- plumbing

    private void setParameters(GmmParameters p) {
        double[] norm = new double[k];
        if (type.isMatrix()) {
            int width = k * d;
            double[] pc = new double[d * width];
            double[] shifts = new double[width];
            for (int j = 0; j < k; j++) {
                double[][] pj = p.precisionCholesky(j);
                double[] mu = p.mean(j);
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        pc[a * width + j * d + b] = pj[a][b];
                        shifts[j * d + b] += mu[a] * pj[a][b];
                    }
                }
                norm[j] = Math.log(p.weight(j)) - 0.5 * d * LOG_2PI + p.logDetPrecisionCholesky(j);
            }
            state = new State(p,
                    Nd4j.create(pc, new long[] {d, width}, DataType.DOUBLE),
                    Nd4j.create(shifts, new long[] {width, 1}, DataType.DOUBLE),
                    Nd4j.create(norm, new long[] {k, 1}, DataType.DOUBLE));
        } else {
            double[] q = new double[k * d];
            double[] qm = new double[k * d];
            for (int j = 0; j < k; j++) {
                double[] pcj = p.precisionCholeskyDiagonal(j);
                double[] mu = p.mean(j);
                double c = 0;
                for (int a = 0; a < d; a++) {
                    double prec = pcj[a] * pcj[a];
                    q[j * d + a] = prec;
                    qm[j * d + a] = mu[a] * prec;
                    c += mu[a] * mu[a] * prec;
                }
                norm[j] = Math.log(p.weight(j)) - 0.5 * d * LOG_2PI + p.logDetPrecisionCholesky(j) - 0.5 * c;
            }
            state = new State(p,
                    Nd4j.create(q, new long[] {k, d}, DataType.DOUBLE),
                    Nd4j.create(qm, new long[] {k, d}, DataType.DOUBLE),
                    Nd4j.create(norm, new long[] {k, 1}, DataType.DOUBLE));
        }
    }

    private State requireState() {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("the gmm has no parameters yet: fit it (EmFittable.initialize, then emStep)"
                    + " or load a checkpoint");
        }
        return s;
    }

    private int checkRows(Tensor x) {
        Objects.requireNonNull(x, "x");
        long[] shape = x.shape();
        if (shape.length != 2 || shape[1] != d) {
            throw new IllegalArgumentException("gmm expects points shaped [n, " + d + "], got " + Arrays.toString(shape));
        }
        if (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("gmm expects FLOAT32 or FLOAT64 points, got " + x.dtype());
        }
        return Math.toIntExact(shape[0]);
    }

    /** x^T {@code [d, n]} in float64, a new array. */
    private static INDArray transposed(Tensor x, Scratch scratch) {
        INDArray xs = asDoubles(x, scratch);
        return xs.transpose().dup('c');
    }

    /** x as float64: a view of float64 input, a registered copy of float32 input. */
    private static INDArray asDoubles(Tensor x, Scratch scratch) {
        INDArray v = Nd4jArrow.view(x);
        return x.dtype() == DType.FLOAT64 ? v : scratch.add(v.castTo(DataType.DOUBLE));
    }
}
