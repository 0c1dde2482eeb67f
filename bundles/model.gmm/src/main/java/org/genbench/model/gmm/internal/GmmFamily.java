package org.genbench.model.gmm.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.DataSize;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.MemoryDemand;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * Gaussian mixtures over real vectors with scikit-learn's four covariance structures, fitted by EM like
 * scikit-learn's GaussianMixture, optionally from user-given initial weights, means and precisions.
 */
@Component(service = ModelFamily.class)
public final class GmmFamily implements ModelFamily<GmmFamily.Config> {
    public static final String NAME = "gmm";

    static final String FULL = "full";
    static final String KMEANS_PLUS_PLUS = "kmeans++";
    static final String RANDOM = "random";
    /** scikit-learn's {@code _check_weights}: |1 - sum| within numpy's allclose absolute tolerance. */
    static final double WEIGHT_SUM_TOLERANCE = 1e-8;

    /**
     * @param components       number of mixture components k (default 8, at least 1)
     * @param covariance       covariance structure, as scikit-learn's {@code covariance_type}: {@code full} (default;
     *                         one matrix per component), {@code tied} (one matrix shared by all), {@code diag} (one
     *                         diagonal per component) or {@code spherical} (one variance per component)
     * @param regCovar         added to every covariance diagonal after each M step, as scikit-learn's
     *                         {@code reg_covar} (default 1e-6, 0 to 1e6: a variance, in squared data units)
     * @param init             {@code kmeans++} (k-means++ seeding, Lloyd iterations, then an M step on the hard
     *                         assignments, like scikit-learn's {@code init_params='kmeans'}) or {@code random}
     *                         (random responsibilities, then an M step)
     * @param kmeansIterations Lloyd iterations after seeding (default 20, 0 to 10000; 0 keeps the seeds)
     * @param weightsInit      initial weights, k values in [0, 1] summing to 1 (scikit-learn's {@code weights_init});
     *                         default from {@code init}
     * @param meansInit        initial means, k rows of d values (scikit-learn's {@code means_init}); default from
     *                         {@code init}
     * @param precisionsInit   initial precisions (inverse covariances; scikit-learn's {@code precisions_init}),
     *                         shaped by {@code covariance}: full [k][d][d], tied [d][d], diag [k][d], spherical [k];
     *                         symmetric positive definite matrices or positive values. Default from {@code init}
     */
    public record Config(Integer components, String covariance, Double regCovar, String init, Integer kmeansIterations,
                         double[] weightsInit, double[][] meansInit, Object precisionsInit) {
        public Config {
            components = components == null ? 8 : components;
            covariance = covariance == null ? FULL : covariance;
            regCovar = regCovar == null ? 1e-6 : regCovar;
            init = init == null ? KMEANS_PLUS_PLUS : init;
            kmeansIterations = kmeansIterations == null ? 20 : kmeansIterations;
            if (components < 1) {
                throw new IllegalArgumentException("components must be >= 1, was " + components);
            }
            CovarianceType type = CovarianceType.of(covariance);
            if (!(regCovar >= 0 && regCovar <= 1e6)) {
                throw new IllegalArgumentException("regCovar must be in 0..1e6, was " + regCovar);
            }
            if (!init.equals(KMEANS_PLUS_PLUS) && !init.equals(RANDOM)) {
                throw new IllegalArgumentException("init must be one of 'kmeans++', 'random', was '" + init + "'");
            }
            if (kmeansIterations < 0 || kmeansIterations > 10_000) {
                throw new IllegalArgumentException("kmeansIterations must be in 0..10000, was " + kmeansIterations);
            }
            weightsInit = weightsInit == null ? null : checkWeights(weightsInit.clone(), components);
            meansInit = meansInit == null ? null : checkMeans(CovarianceType.copy(meansInit), components);
            precisionsInit = precisionsInit == null ? null : InitialPrecisions.parse(precisionsInit, type, components);
            if (meansInit != null && precisionsInit != null) {
                InitialPrecisions.checkDimension(precisionsInit, type, meansInit[0].length);
            }
        }

        /** The first five settings; no initial parameters. */
        public Config(Integer components, String covariance, Double regCovar, String init, Integer kmeansIterations) {
            this(components, covariance, regCovar, init, kmeansIterations, null, null, null);
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null, null, null);
        }

        CovarianceType covarianceType() {
            return CovarianceType.of(covariance);
        }

        // Records compare arrays by identity; two configs with equal initial values are the same settings.
        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && components.equals(c.components) && covariance.equals(c.covariance)
                    && regCovar.equals(c.regCovar) && init.equals(c.init) && kmeansIterations.equals(c.kmeansIterations)
                    && Arrays.equals(weightsInit, c.weightsInit) && Arrays.deepEquals(meansInit, c.meansInit)
                    && Objects.deepEquals(precisionsInit, c.precisionsInit);
        }

        @Override
        public int hashCode() {
            return Objects.hash(components, covariance, regCovar, init, kmeansIterations, Arrays.hashCode(weightsInit),
                    Arrays.deepHashCode(meansInit), Arrays.deepHashCode(new Object[] {precisionsInit}));
        }

        @Override
        public String toString() {
            return "Config[components=" + components + ", covariance=" + covariance + ", regCovar=" + regCovar
                    + ", init=" + init + ", kmeansIterations=" + kmeansIterations + ", weightsInit="
                    + Arrays.toString(weightsInit) + ", meansInit=" + Arrays.deepToString(meansInit)
                    + ", precisionsInit=" + Arrays.deepToString(new Object[] {precisionsInit}) + "]";
        }

        private static double[] checkWeights(double[] w, int k) {
            if (w.length != k) {
                throw new IllegalArgumentException("weightsInit must have components=" + k + " entries, has "
                        + w.length);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                if (!(w[j] >= 0 && w[j] <= 1)) {
                    throw new IllegalArgumentException("weightsInit[" + j + "] must lie in [0, 1], was " + w[j]);
                }
                sum += w[j];
            }
            if (!(Math.abs(1 - sum) <= WEIGHT_SUM_TOLERANCE)) {
                throw new IllegalArgumentException("weightsInit must sum to 1 (within " + WEIGHT_SUM_TOLERANCE
                        + ", as scikit-learn), sums to " + sum);
            }
            return w;
        }

        private static double[][] checkMeans(double[][] m, int k) {
            if (m.length != k) {
                throw new IllegalArgumentException("meansInit must have components=" + k + " rows, has " + m.length);
            }
            for (int j = 0; j < k; j++) {
                if (m[j] == null || m[j].length == 0 || m[j].length != m[0].length) {
                    throw new IllegalArgumentException("meansInit rows must all have the same number (>= 1) of "
                            + "values; row 0 has " + (m[0] == null ? 0 : m[0].length) + ", row " + j + " has "
                            + (m[j] == null ? 0 : m[j].length));
                }
                for (int a = 0; a < m[j].length; a++) {
                    if (!Double.isFinite(m[j][a])) {
                        throw new IllegalArgumentException("meansInit[" + j + "][" + a + "] must be finite, was "
                                + m[j][a]);
                    }
                }
            }
            return m;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Gaussian mixture (full, tied, diag or spherical covariances), fitted by EM as scikit-learn's"
                + " GaussianMixture (k-means++, random or given initial parameters); exact density, score and sampling";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, Score.class, Energy.class, DirectSampling.class, EmFittable.class,
                Persistent.class, Clustering.class);
    }

    /**
     * A mixture cannot have more components than there are examples to initialize them from, and initial means and
     * precisions must be for the data's dimension: refused at compose time, not when the run starts.
     */
    @Override
    public void checkData(Config config, DataSize data) {
        long n = data.rows("train");
        if (n > 0 && config.components() > n) {
            throw new IllegalArgumentException("components must be <= the " + n + " training examples, was " + config.components());
        }
        long[] shape = data.sampleShape();
        if (shape.length != 1) {
            throw new IllegalArgumentException("gmm models vectors; the dataset's examples are shaped " + Arrays.toString(shape));
        }
        long d = shape[0];
        if (config.meansInit() != null && config.meansInit()[0].length != d) {
            throw new IllegalArgumentException("meansInit has rows of " + config.meansInit()[0].length
                    + " values, but the data has dimension " + d);
        }
        if (config.precisionsInit() != null && d <= Integer.MAX_VALUE) {
            InitialPrecisions.checkDimension(config.precisionsInit(), config.covarianceType(), (int) d);
        }
    }

    /** Per component: its covariance (d x d, d or 1 values), mean and weight; while fitting, 2 x n responsibilities. */
    @Override
    public java.util.List<MemoryDemand> memory(Config config, DataSize data) {
        long d = data.dimension();
        long n = Math.max(1, data.rows("train"));
        long covariance = switch (config.covarianceType()) {
            case FULL -> d * d;
            case DIAG -> d;
            case TIED, SPHERICAL -> 1;
        };
        return java.util.List.of(new MemoryDemand("components", config.components(), 8 * (covariance + d + 1 + 2 * n),
                "components over " + n + " examples of " + d + " values"));
    }

    /** The parameters are set later by {@link EmFittable#initialize} or {@link Persistent#load}, not from {@code rng}. */
    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(data, "data");
        if (!DataInfo.CONTINUOUS.equals(data.kind())) {
            throw new IllegalArgumentException("gmm models continuous data; dataset '" + data.name() + "' is "
                    + data.kind());
        }
        long[] shape = data.sampleShape();
        if (shape.length != 1) {
            throw new IllegalArgumentException("gmm models vectors (sample shape of rank 1); dataset '" + data.name()
                    + "' has sample shape " + Arrays.toString(shape) + " (rank " + shape.length + ")");
        }
        if (shape[0] < 1 || shape[0] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gmm needs a dimension between 1 and " + Integer.MAX_VALUE
                    + "; dataset '" + data.name() + "' has " + shape[0]);
        }
        int d = (int) shape[0];
        if (config.meansInit() != null && config.meansInit()[0].length != d) {
            throw new IllegalArgumentException("meansInit has rows of " + config.meansInit()[0].length
                    + " values, but dataset '" + data.name() + "' has dimension " + d);
        }
        if (config.precisionsInit() != null) {
            try {
                InitialPrecisions.checkDimension(config.precisionsInit(), config.covarianceType(), d);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (dataset '" + data.name() + "' has dimension "
                        + d + ")", e);
            }
        }
        return new GmmModel(config, data);
    }
}
