package org.genbench.model.gmm.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.genbench.api.Capability;
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

/** Gaussian mixtures with full covariances over real vectors, fitted by EM like scikit-learn's GaussianMixture. */
@Component(service = ModelFamily.class)
public final class GmmFamily implements ModelFamily<GmmFamily.Config> {
    public static final String NAME = "gmm";

    static final String FULL = "full";
    static final String KMEANS_PLUS_PLUS = "kmeans++";
    static final String RANDOM = "random";

    /**
     * @param components       number of mixture components k (default 8, at least 1)
     * @param covariance       covariance structure; only {@code full} so far
     * @param regCovar         added to every covariance diagonal after each M step, as scikit-learn's
     *                         {@code reg_covar} (default 1e-6, 0 to 1e6: a variance, in squared data units)
     * @param init             {@code kmeans++} (k-means++ seeding, Lloyd iterations, then an M step on the hard
     *                         assignments, like scikit-learn's {@code init_params='kmeans'}) or {@code random}
     *                         (random responsibilities, then an M step)
     * @param kmeansIterations Lloyd iterations after seeding (default 20, 0 to 10000; 0 keeps the seeds)
     */
    public record Config(Integer components, String covariance, Double regCovar, String init, Integer kmeansIterations) {
        public Config {
            components = components == null ? 8 : components;
            covariance = covariance == null ? FULL : covariance;
            regCovar = regCovar == null ? 1e-6 : regCovar;
            init = init == null ? KMEANS_PLUS_PLUS : init;
            kmeansIterations = kmeansIterations == null ? 20 : kmeansIterations;
            if (components < 1) {
                throw new IllegalArgumentException("components must be >= 1, was " + components);
            }
            if (!covariance.equals(FULL)) {
                throw new IllegalArgumentException("covariance must be 'full' (the only structure implemented), was '"
                        + covariance + "'");
            }
            if (!(regCovar >= 0 && regCovar <= 1e6)) {
                throw new IllegalArgumentException("regCovar must be in 0..1e6, was " + regCovar);
            }
            if (!init.equals(KMEANS_PLUS_PLUS) && !init.equals(RANDOM)) {
                throw new IllegalArgumentException("init must be one of 'kmeans++', 'random', was '" + init + "'");
            }
            if (kmeansIterations < 0 || kmeansIterations > 10_000) {
                throw new IllegalArgumentException("kmeansIterations must be in 0..10000, was " + kmeansIterations);
            }
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Gaussian mixture with full covariances, fitted by EM (k-means++ init); exact density, score and sampling";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, Score.class, Energy.class, DirectSampling.class, EmFittable.class,
                Persistent.class);
    }

    /** A mixture cannot have more components than there are examples to initialize them from. */
    @Override
    public void checkData(Config config, DataSize data) {
        long n = data.rows("train");
        if (n > 0 && config.components() > n) {
            throw new IllegalArgumentException("components must be <= the " + n + " training examples, was " + config.components());
        }
    }

    /** Covariances (k x d x d) and, while fitting, responsibilities and log-densities (2 x n x k), as doubles. */
    @Override
    public java.util.List<MemoryDemand> memory(Config config, DataSize data) {
        long d = data.dimension();
        long n = Math.max(1, data.rows("train"));
        return java.util.List.of(new MemoryDemand("components", config.components(), 8 * (d * d + d + 1 + 2 * n),
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
        return new GmmModel(config, data);
    }
}
