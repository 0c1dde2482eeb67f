package org.genbench.eval.likelihood.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.ArrowBuf;
import org.genbench.api.BlockGibbs;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Dequantization;
import org.genbench.api.Energy;
import org.genbench.api.Evaluator;
import org.genbench.api.KnownDensity;
import org.genbench.api.LogDensity;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.AisResult;
import org.genbench.stats.AisSettings;
import org.genbench.stats.BlockGibbsAis;
import org.genbench.stats.EnergyAis;
import org.osgi.service.component.annotations.Component;

/**
 * Mean held-out log-likelihood in nats, its standard error and bits per dimension. Uses the model's exact
 * {@link LogDensity} when it has one (kind {@code exact}), else its {@link LogDensityBound} (kind {@code bound},
 * the bound's name in the protocol), else, for a model with only an {@link Energy}, -E(x) - log Z with log Z
 * estimated by annealed importance sampling (kind {@code ais}; the number of intermediate distributions, chains,
 * schedule and kernel, and log Z with its standard error, in the protocol). A bound or an estimate is never
 * reported as an exact likelihood. {@code estimator} can force one of the three where a model has several.
 *
 * <p>Discrete data is scored by uniform dequantization as the data declares it ({@link DataInfo#dequantization()};
 * 8-bit data that declares none is taken as 256 levels), with genbench's one convention ({@link Dequantization}):
 * the model sees x' = (x + u) / 256 with u ~ U[0,1) per value, one draw per example, and the reported
 * log-likelihood is log p(x') - D ln 256, which lower-bounds the discrete model's log-probability of x. Bits/dim =
 * -mean / (D ln 2) then comes out as the continuous density's bits/dim plus 8, the figure the literature quotes.
 * A logit pre-transform the data declares is the model's to apply; its Jacobian is inside the model's density.
 *
 * <p>When the dataset knows its generating density ({@link KnownDensity}: the 2-D toys), the true density's mean
 * log-likelihood on the same examples and the model's gap to it (mean of the paired differences, with its standard
 * error) are reported beside the model's.
 */
@Component(service = Evaluator.class)
public final class HeldOutLikelihood implements Evaluator<HeldOutLikelihood.Config> {
    /**
     * @param split the split to score; default {@code test}
     * @param dequantize null (the default) decides from the data: true for {@code discrete} data whose values are
     *     all integers in 0..255; true forces it (and requires such values), false turns it off
     * @param batchSize examples handed to the model at a time, at least 1; default 4096
     * @param estimator {@code auto} (default: exact, else bound, else ais), {@code exact}, {@code bound} or
     *     {@code ais}
     * @param aisDistributions AIS: intermediate distributions, 1..1000000; default 1000
     * @param aisChains AIS: independent chains (importance samples), 2..100000; default 100
     * @param aisSchedule AIS: {@code sigmoid} (default; Grosse et al. 2013) or {@code linear} inverse temperatures
     */
    public record Config(String split, Boolean dequantize, Integer batchSize, String estimator,
                         Integer aisDistributions, Integer aisChains, String aisSchedule) {
        public Config(String split, Boolean dequantize, Integer batchSize) {
            this(split, dequantize, batchSize, null, null, null, null);
        }

        public Config {
            split = split == null ? "test" : split;
            if (split.isBlank()) {
                throw new IllegalArgumentException("split must name a dataset split such as 'test', was blank");
            }
            batchSize = batchSize == null ? 4096 : batchSize;
            if (batchSize < 1 || batchSize > 1_000_000) {
                throw new IllegalArgumentException("batchSize must be in 1..1000000, was " + batchSize);
            }
            estimator = estimator == null ? "auto" : estimator;
            if (!List.of("auto", "exact", "bound", "ais").contains(estimator)) {
                throw new IllegalArgumentException("estimator must be one of auto, exact, bound, ais, was " + estimator);
            }
            aisDistributions = aisDistributions == null ? 1000 : aisDistributions;
            if (aisDistributions < 1 || aisDistributions > 1_000_000) {
                throw new IllegalArgumentException("aisDistributions must be in 1..1000000, was " + aisDistributions);
            }
            aisChains = aisChains == null ? 100 : aisChains;
            if (aisChains < 2 || aisChains > 100_000) {
                throw new IllegalArgumentException("aisChains must be in 2..100000, was " + aisChains);
            }
            aisSchedule = aisSchedule == null ? "sigmoid" : aisSchedule;
            if (!aisSchedule.equals("sigmoid") && !aisSchedule.equals("linear")) {
                throw new IllegalArgumentException("aisSchedule must be sigmoid or linear, was " + aisSchedule);
            }
        }
    }

    public HeldOutLikelihood() {
    }

    /** The split must be one the dataset has (known at compose time when the dataset can tell its size). */
    @Override
    public void checkData(Config config, org.genbench.api.DataSize data) {
        if (!data.rows().isEmpty() && !data.rows().containsKey(config.split())) {
            throw new IllegalArgumentException("split must be one of " + new java.util.TreeSet<>(data.rows().keySet())
                    + ", was '" + config.split() + "'");
        }
    }

    @Override
    public String name() {
        return "loglik";
    }

    @Override
    public String description() {
        return "Held-out log-likelihood (exact or bound) in nats, its standard error, and bits/dim";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.anyOf(LogDensity.class, LogDensityBound.class, Energy.class);
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
            RunContext context) {
        Tensor x = data.split(config.split()).x();
        long n = x.rows();
        long dims = x.rowSize();
        if (n == 0 || dims == 0) {
            throw new IllegalArgumentException("split '" + config.split() + "' of " + data.info().name()
                    + " is empty: " + Arrays.toString(x.shape()));
        }
        Dequantization dq = decideDequantization(config, data.info(), x);
        boolean dequantize = dq != null;
        Estimator estimator = estimatorFor(model, config, data, x, dq, context);
        Rng noise = context.rng().split("dequantize");
        double offset = dequantize ? -dq.logLikelihoodOffset(dims) : 0;
        KnownDensity truth = !dequantize && data instanceof KnownDensity k ? k : null;
        double trueSum = 0;
        double gapMean = 0;
        double gapM2 = 0;

        // Welford's update: the spread of log-likelihoods is small next to their size. Infinite values (a test
        // point outside the model's support) are summed apart so that they give a -inf mean rather than NaN.
        double mean = 0;
        double m2 = 0;
        long count = 0;
        double infinite = 0;
        for (long start = 0; start < n; start += config.batchSize()) {
            if (context.isCancelled()) {
                throw new CancellationException("likelihood evaluation cancelled after " + start + " of " + n
                        + " examples");
            }
            long len = Math.min(config.batchSize(), n - start);
            try (Tensor batch = dequantize ? dequantized(dq, x, start, len, noise, context) : rows(x, start, len);
                    Tensor values = estimator.score(batch);
                    Tensor trueValues = truth == null ? null : truth.trueLogDensity(batch)) {
                if (values.size() != len) {
                    throw new IllegalStateException(estimator.label() + " returned " + values.size()
                            + " values for " + len + " examples");
                }
                for (long i = 0; i < len; i++) {
                    double v = values.getDouble(i) - offset;
                    if (Double.isNaN(v)) {
                        throw new IllegalStateException(estimator.label() + " returned NaN for example "
                                + (start + i) + " of split '" + config.split() + "'");
                    }
                    if (Double.isInfinite(v)) {
                        infinite += v;
                        continue;
                    }
                    count++;
                    double delta = v - mean;
                    mean += delta / count;
                    m2 += delta * (v - mean);
                    if (trueValues != null) {
                        double t = trueValues.getDouble(i);
                        trueSum += t;
                        double gap = t - v;
                        double gd = gap - gapMean;
                        gapMean += gd / count;
                        gapM2 += gd * (gap - gapMean);
                    }
                }
            }
            context.progress(start + len, n);
        }
        double se = count > 1 ? Math.sqrt(m2 / (count - 1) / count) : Double.NaN;
        // AIS: log Z's error shifts every example alike, so it adds to the test set's sampling error in full.
        se = Math.sqrt(se * se + estimator.extraVariance());
        if (infinite != 0) {
            mean = infinite;
            se = Double.NaN;
        }
        double bitsPerDim = Dequantization.bitsPerDim(mean, dims);

        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("split", config.split());
        protocol.put("n", n);
        protocol.put("dimensions", dims);
        protocol.put("dequantization", dequantize ? dq.describe() : "none");
        protocol.put("estimator", estimator.label());
        protocol.putAll(estimator.protocol());
        String prefix = config.split() + "_";
        List<Metric> metrics = new java.util.ArrayList<>(List.of(
                new Metric(prefix + "loglik", mean, estimator.kind(), protocol),
                new Metric(prefix + "loglik_se", se, estimator.kind(), protocol),
                new Metric(prefix + "bits_per_dim", bitsPerDim, estimator.kind(), protocol)));
        if (truth != null && count > 0 && infinite == 0) {
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("truth", "the dataset's generating density on the same examples");
            metrics.add(new Metric(prefix + "true_loglik", trueSum / count, "exact", p));
            metrics.add(new Metric(prefix + "loglik_gap", gapMean, estimator.kind(), p));
            metrics.add(new Metric(prefix + "loglik_gap_se", count > 1 ? Math.sqrt(gapM2 / (count - 1) / count)
                    : Double.NaN, estimator.kind(), p));
        }
        if (estimator.protocol().containsKey("ais_log_z")) {
            metrics.add(new Metric(prefix + "ais_log_z", (Double) estimator.protocol().get("ais_log_z"), "ais", protocol));
            metrics.add(new Metric(prefix + "ais_log_z_se", (Double) estimator.protocol().get("ais_log_z_se"), "ais",
                    protocol));
        }
        return metrics;
    }

    private interface Estimator {
        Tensor score(Tensor x);

        String kind();

        String label();

        /** What the kind needs beside the estimator's name to be comparable. */
        default Map<String, Object> protocol() {
            return Map.of();
        }

        /** Variance shared by every example's value (AIS's log Z), added to the standard error of the mean. */
        default double extraVariance() {
            return 0;
        }
    }

    private static Estimator estimatorFor(Model model, Config config, Dataset data, Tensor x, Dequantization dq,
            RunContext context) {
        String wanted = config.estimator();
        Optional<LogDensity> exact = model.as(LogDensity.class);
        Optional<LogDensityBound> boundCap = model.as(LogDensityBound.class);
        Optional<Energy> energyCap = model.as(Energy.class);
        if (wanted.equals("ais") || (wanted.equals("auto") && exact.isEmpty() && boundCap.isEmpty()
                && energyCap.isPresent())) {
            Energy energy = energyCap.orElseThrow(() -> new IllegalArgumentException("estimator 'ais' needs a model"
                    + " with Energy; " + model.getClass().getSimpleName() + " has none"));
            return aisEstimator(energy, model, config, data, x, dq, context);
        }
        if (wanted.equals("exact") && exact.isEmpty()) {
            throw new IllegalArgumentException("estimator 'exact' needs a model with LogDensity; "
                    + model.getClass().getSimpleName() + " has none");
        }
        Rng rng = context.rng().split("bound");
        if (exact.isPresent() && !wanted.equals("bound")) {
            LogDensity density = exact.get();
            return new Estimator() {
                public Tensor score(Tensor x) {
                    return density.logDensity(x);
                }

                public String kind() {
                    return "exact";
                }

                public String label() {
                    return "logDensity";
                }
            };
        }
        LogDensityBound bound = boundCap.orElseThrow(() -> new IllegalArgumentException(
                "loglik needs a model with LogDensity, LogDensityBound or Energy; " + model.getClass().getSimpleName()
                        + " has " + (wanted.equals("bound") ? "no LogDensityBound" : "none of them")));
        String name = bound.boundName();
        return new Estimator() {
            public Tensor score(Tensor x) {
                return bound.logDensityBound(x, rng);
            }

            public String kind() {
                return "bound";
            }

            public String label() {
                return name;
            }

            public Map<String, Object> protocol() {
                return bound.boundProtocol();
            }
        };
    }

    private static Estimator aisEstimator(Energy energy, Model model, Config config, Dataset data, Tensor x,
            Dequantization dq, RunContext context) {
        boolean dequantize = dq != null;
        AisSettings settings = new AisSettings(config.aisDistributions(), config.aisChains(), config.aisSchedule());
        DataInfo info = data.info();
        // The base is fitted to training data when there is some, so the test set does not shape its own score.
        Tensor reference = data.splits().contains("train") ? data.split("train").x() : x;
        boolean binary = DataInfo.BINARY.equals(info.kind());
        long[] shape = x.shape();
        long[] sampleShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        Rng rng = context.rng().split("ais");
        AisResult r;
        Optional<BlockGibbs> gibbs = model.as(BlockGibbs.class);
        if (gibbs.isPresent() && !dequantize) {
            // A bipartite model: exact block-Gibbs sweeps between a factorized base and the model (its energy is the
            // free energy, which the sweeps' path ends at).
            r = BlockGibbsAis.logPartition(gibbs.get(), sampleShape, BlockGibbsAis.columnMeans(reference),
                    reference.rows(), settings, rng, context.allocator(), context::isCancelled);
        } else {
            DType type = x.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
            // The energy is defined where the model sees data: on dequantized values when the data is dequantized,
            // so the base is fitted to the reference dequantized as the model saw it (cell middles alone would give
            // a pixel that is always 0 no spread, where the model's x' spreads over [0, 1 / levels)).
            if (dequantize && !dq.hasLogit()) {
                // A density on dequantized data is a density on [0, 1)^d (Dequantization's convention): E = +infinity
                // outside, so log Z is the integral over the cube, from a base on the cube with moves that stay in it.
                try (Tensor xq = dq.dequantize(reference, context.rng().split("ais-base"), context.allocator())) {
                    r = new EnergyAis(energy, sampleShape, type, context.allocator()).logPartitionOnCube(xq,
                            dq.levels(), settings, rng, context::isCancelled);
                }
            } else if (dequantize) {
                try (Tensor xq = dq.dequantize(reference, context.rng().split("ais-base"), context.allocator())) {
                    r = new EnergyAis(energy, sampleShape, type, context.allocator()).logPartition(xq, v -> v, binary,
                            settings, rng, context::isCancelled);
                }
            } else {
                r = new EnergyAis(energy, sampleShape, type, context.allocator()).logPartition(reference, v -> v,
                        binary, settings, rng, context::isCancelled);
            }
        }
        Map<String, Object> protocol = r.protocol();
        String label = "ais(distributions=" + settings.distributions() + ", chains=" + settings.chains() + ", schedule="
                + settings.schedule() + ", kernel=" + (gibbs.isPresent() && !dequantize ? "block-gibbs"
                        : dequantize && !dq.hasLogit() ? "reflected random-walk metropolis on [0, 1)^d" : "metropolis")
                + ")";
        return new Estimator() {
            public Tensor score(Tensor batch) {
                try (Tensor e = energy.energy(batch)) {
                    Tensor out = Tensor.allocate(batch.allocator(), DType.FLOAT64, e.size());
                    for (long i = 0; i < e.size(); i++) {
                        out.setDouble(i, -e.getDouble(i) - r.logZ());
                    }
                    return out;
                }
            }

            public String kind() {
                return "ais";
            }

            public String label() {
                return label;
            }

            public Map<String, Object> protocol() {
                return protocol;
            }

            public double extraVariance() {
                return r.logZSe() * r.logZSe();
            }
        };
    }

    /** The dequantization to score with, or null for none. */
    private static Dequantization decideDequantization(Config config, DataInfo info, Tensor x) {
        if (Boolean.FALSE.equals(config.dequantize())) {
            return null;
        }
        Dequantization dq = info.dequantization() != null ? info.dequantization() : Dequantization.uniform8Bit();
        long bad = dq.firstNonLevel(x);
        if (config.dequantize() == null && info.dequantization() == null) {
            return DataInfo.DISCRETE.equals(info.kind()) && bad < 0 ? dq : null;
        }
        if (bad >= 0) {
            throw new IllegalArgumentException((config.dequantize() == null ? info.name() + " declares " + dq + ", which"
                    : "dequantize=true") + " needs integer values in 0.." + (dq.levels() - 1) + ", but split '"
                    + config.split() + "' of " + info.name() + " has " + x.getDouble(bad) + " at index " + bad);
        }
        return dq;
    }

    /** Rows [start, start + len) of x as a view on the same memory: a new handle the caller closes. */
    private static Tensor rows(Tensor x, long start, long len) {
        long[] shape = x.shape();
        shape[0] = len;
        long rowBytes = x.rowSize() * x.dtype().bytes();
        ArrowBuf slice = x.buffer().slice(start * rowBytes, len * rowBytes);
        // A slice shares the parent's reference count without taking a reference; the view needs its own.
        slice.getReferenceManager().retain();
        return Tensor.wrap(slice, x.dtype(), shape);
    }

    private static Tensor dequantized(Dequantization dq, Tensor x, long start, long len, Rng noise,
            RunContext context) {
        try (Tensor rows = x.slice(start, len)) {
            return dq.dequantize(rows, noise, context.allocator());
        }
    }
}
