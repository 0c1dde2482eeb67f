package org.genbench.model.gmm.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
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
 * A Gaussian mixture with full covariances, computed in float64 with ND4J the way scikit-learn's GaussianMixture
 * does: log densities through per-component precision Cholesky factors, log-sum-exp over components, and the
 * M step as matrix products. Parameters are immutable snapshots swapped atomically, so evaluating (sampling,
 * scoring) from several threads is safe; fitting is not meant to run concurrently with anything else.
 *
 * <p>Work arrays are component-major ({@code [k*d, n]}, {@code [k, n]}, {@code [d, n]}: one row per component or
 * coordinate, one column per point). Every broadcast and reduction then runs along contiguous rows, which in ND4J
 * is several times faster than along the strided columns of the row-per-point layout.
 */
final class GmmModel implements Model, LogDensity, Score, Energy, DirectSampling, EmFittable, Persistent {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** scikit-learn adds 10 * float64 machine epsilon to every component's responsibility mass. */
    private static final double MASS_EPS = 10 * Math.ulp(1.0);
    private static final double EXP_FLOOR = -700;

    private final GmmFamily.Config config;
    private final DataInfo data;
    private final int k;
    private final int d;
    private volatile State state;
    private EmBuffers buffers;

    /**
     * Parameters with their ND4J forms, laid out so that one matrix product whitens x for all components at once.
     *
     * @param precisionCholeskies {@code [d, k*d]}: column block j is P_j
     * @param shifts              {@code [k*d, 1]}: block j is P_j^T mu_j
     * @param logNormalizers      {@code [k, 1]}: log w_j - d/2 log 2 pi + log|P_j|
     */
    private record State(GmmParameters params, INDArray precisionCholeskies, INDArray shifts,
                         INDArray logNormalizers) {
    }

    GmmModel(GmmFamily.Config config, DataInfo data) {
        this.config = Objects.requireNonNull(config, "config");
        this.data = Objects.requireNonNull(data, "data");
        this.k = config.components();
        this.d = Math.toIntExact(data.dimension());
    }

    /** A model with the given parameters, for tests and reference comparisons. */
    static GmmModel fromParameters(GmmFamily.Config config, DataInfo data, double[] weights, double[][] means,
                                   double[][][] covariances) {
        GmmModel m = new GmmModel(config, data);
        GmmParameters p = new GmmParameters(weights, means, covariances);
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

    /** Free parameters, as scikit-learn's {@code _n_parameters} counts them for a full covariance. */
    @Override
    public long parameterCount() {
        return (k - 1L) + (long) k * d + (long) k * d * (d + 1) / 2;
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

    private Tensor perRow(Tensor x, boolean negate) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            return Tensor.allocate(x.allocator(), DType.FLOAT64, 0);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xT = scratch.add(transposed(x, scratch));
            INDArray yT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n));
            INDArray lpT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, n));
            whiten(s, xT, yT);
            yT.muli(yT);
            logProb(s, yT, lpT);
            INDArray out = logSumExpInPlace(lpT, false, scratch);
            if (negate) {
                out.negi();
            }
            return Nd4jArrow.toTensor(out.reshape(n), x.allocator());
        }
    }

    /**
     * grad log p(x) = sum_j r_j(x) (-Sigma_j^-1 (x - mu_j)). With the whitened residual y_j = P_j^T (x - mu_j),
     * Sigma_j^-1 (x - mu_j) = P_j y_j, so the sum over components is one product of the stacked P_j with the
     * responsibility-weighted residuals.
     */
    private Tensor gradient(Tensor x, boolean negate) {
        State s = requireState();
        int n = checkRows(x);
        if (n == 0) {
            return Tensor.allocate(x.allocator(), DType.FLOAT64, 0, d);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xT = scratch.add(transposed(x, scratch));
            INDArray yT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n));
            INDArray lpT = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, n));
            whiten(s, xT, yT);
            INDArray squares = scratch.add(yT.mul(yT));
            logProb(s, squares, lpT);
            scratch.free(squares);
            scratch.add(logSumExpInPlace(lpT, true, scratch));
            INDArray y3 = yT.reshape('c', k, d, n);
            Nd4j.getExecutioner().exec(new BroadcastMulOp(y3, lpT, y3, 0, 2));
            INDArray g = Nd4j.createUninitialized(DataType.DOUBLE, n, d);
            Nd4j.gemm(yT, s.precisionCholeskies(), g, true, true, negate ? 1.0 : -1.0, 0.0);
            return Nd4jArrow.toTensor(g, x.allocator());
        }
    }

    // ---- DirectSampling

    /** Component j with probability w_j, then mu_j + L_j z with Sigma_j = L_j L_j^T and z standard normal. */
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
                double[][] l = p.covarianceCholesky(j);
                long row = (long) i * d;
                for (int a = 0; a < d; a++) {
                    double v = means[j][a];
                    for (int b = 0; b <= a; b++) {
                        v += l[a][b] * z[b];
                    }
                    buf.setDouble((row + a) * Double.BYTES, v);
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    // ---- EmFittable

    @Override
    public void initialize(Tensor x, Rng rng) {
        Objects.requireNonNull(rng, "rng");
        int n = checkRows(x);
        if (n < k) {
            throw new IllegalArgumentException("gmm with components=" + k + " needs at least " + k
                    + " training points, got " + n);
        }
        try (Scratch scratch = new Scratch()) {
            INDArray xs = asDoubles(x, scratch);
            INDArray resp = switch (config.init()) {
                case GmmFamily.KMEANS_PLUS_PLUS -> KMeans.hardResponsibilities(xs, k, config.kmeansIterations(), rng,
                        scratch);
                case GmmFamily.RANDOM -> scratch.add(randomResponsibilities(n, rng));
                default -> throw new IllegalStateException("unknown init " + config.init());
            };
            EmBuffers b = emBuffers(n);
            b.xT.assign(xs.transpose());
            b.respT.assign(resp.transpose());
            setParameters(mStep(b, scratch));
        }
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
            whiten(s, b.xT, b.yT);
            b.yT.muli(b.yT);
            logProb(s, b.yT, b.respT);
            INDArray lse = scratch.add(logSumExpInPlace(b.respT, true, scratch));
            double meanLogLikelihood = lse.meanNumber().doubleValue();
            setParameters(mStep(b, scratch));
            return meanLogLikelihood;
        }
    }

    /**
     * Weights, means and covariances from the responsibilities in {@code b.respT} and the points in {@code b.xT},
     * as scikit-learn's {@code _estimate_gaussian_parameters} with {@code reg_covar} on the diagonal:
     * N_j = sum_i r_ij + 10 eps, mu_j = sum_i r_ij x_i / N_j,
     * Sigma_j = sum_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + regCovar I, w_j = N_j / sum N.
     */
    private GmmParameters mStep(EmBuffers b, Scratch scratch) {
        INDArray nkArray = scratch.add(b.respT.sum(1));
        double[] nk = nkArray.toDoubleVector();
        double total = 0;
        for (int j = 0; j < k; j++) {
            nk[j] += MASS_EPS;
            total += nk[j];
        }
        INDArray sums = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, k, d));
        Nd4j.gemm(b.respT, b.xT, sums, false, true, 1.0, 0.0);
        double[][] means = sums.toDoubleMatrix();
        for (int j = 0; j < k; j++) {
            for (int a = 0; a < d; a++) {
                means[j][a] /= nk[j];
            }
        }
        INDArray mu = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, d, 1));
        INDArray cov = scratch.add(Nd4j.createUninitialized(DataType.DOUBLE, d, d));
        double[][][] covariances = new double[k][][];
        double[] weights = new double[k];
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
                c[a][a] += config.regCovar();
            }
            covariances[j] = c;
            weights[j] = nk[j] / total;
        }
        return new GmmParameters(weights, means, covariances);
    }

    /**
     * Arrays of n columns that every EM step needs, kept from one step to the next: allocating them afresh cost more
     * than the arithmetic on them (tens of MB per step, each page faulted in again), and preallocated C-order
     * outputs keep ND4J's gemm off its slower allocate-then-reorder path. Only fitting uses them, and fitting is
     * single-threaded; density and score evaluation allocate their own.
     */
    private static final class EmBuffers {
        final long n;
        final INDArray xT;
        final INDArray yT;
        final INDArray respT;
        final INDArray diffT;
        final INDArray weightedT;

        EmBuffers(long n, int k, int d) {
            this.n = n;
            xT = Nd4j.createUninitialized(DataType.DOUBLE, d, n);
            yT = Nd4j.createUninitialized(DataType.DOUBLE, (long) k * d, n);
            respT = Nd4j.createUninitialized(DataType.DOUBLE, k, n);
            diffT = Nd4j.createUninitialized(DataType.DOUBLE, d, n);
            weightedT = Nd4j.createUninitialized(DataType.DOUBLE, d, n);
        }

        void release() {
            for (INDArray a : new INDArray[] {xT, yT, respT, diffT, weightedT}) {
                if (a.closeable()) {
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
            b = new EmBuffers(n, k, d);
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

    /** yT {@code [k*d, n]}: rows j*d .. j*d+d-1 hold P_j^T (x_i - mu_j) for every point i. */
    private static void whiten(State s, INDArray xT, INDArray yT) {
        Nd4j.gemm(s.precisionCholeskies(), xT, yT, true, false, 1.0, 0.0);
        yT.subiColumnVector(s.shifts());
    }

    /**
     * lpT {@code [k, n]} = log w_j + log N(x_i | mu_j, Sigma_j) from the squared whitened residuals, as
     * scikit-learn's {@code _estimate_weighted_log_prob}.
     */
    private void logProb(State s, INDArray squares, INDArray lpT) {
        squares.reshape('c', k, d, squares.columns()).sum(lpT, 1);
        lpT.muli(-0.5).addiColumnVector(s.logNormalizers());
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
        int width = k * d;
        double[] pc = new double[d * width];
        double[] shifts = new double[width];
        double[] norm = new double[k];
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
