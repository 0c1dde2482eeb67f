package org.genbench.sampler.gibbs.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.BlockGibbs;
import org.genbench.api.Energy;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.McmcDiagnostics;
import org.osgi.service.component.annotations.Component;

/**
 * Block Gibbs sampling of a bipartite model ({@link BlockGibbs}: an RBM): parallel chains, each sweep drawing every
 * hidden unit given the visible ones and then every visible unit given the hidden ones, which leaves the model's
 * distribution invariant and always moves (acceptance 1). Chains start from a uniformly random hidden state and
 * v ~ p(v | h), spread over the model's modes rather than at one point, so that split R-hat can see chains that have
 * not mixed.
 *
 * <p>What is stored per kept sweep is E[v | h] ({@code output = mean}, the default: smooth images, and a function of
 * the chain's state whose R-hat is defined for every pixel) or the sampled v itself ({@code output = sample}).
 * Diagnostics: rank-normalized split R-hat and bulk ESS per dimension (worst values; dimensions that never vary in
 * any chain are counted apart), and the same for the free energy of the chains' states when the model has
 * {@link Energy}. Pictures: chain snapshots for images, trajectories over the energy landscape for 2-D data.
 */
@Component(service = Sampler.class)
public final class GibbsSampler implements Sampler<GibbsSampler.Config> {
    public static final String NAME = "gibbs";
    static final List<String> OUTPUT = List.of("mean", "sample");

    /**
     * @param chains   parallel chains, 1..100000 (default 10)
     * @param draws    kept sweeps per chain, 4..10000000 (default 1000)
     * @param warmup   sweeps before the first kept one, at least 0 (default 1000)
     * @param thin     keep every thin-th sweep, at least 1 (default 1)
     * @param output   {@code mean} (E[v | h], default) or {@code sample} (v)
     * @param pictures chain snapshots (image data) or trajectories (2-D data) in the output directory (default true)
     */
    public record Config(Integer chains, Integer draws, Integer warmup, Integer thin, String output, Boolean pictures) {
        public Config {
            chains = chains == null ? 10 : chains;
            draws = draws == null ? 1000 : draws;
            warmup = warmup == null ? 1000 : warmup;
            thin = thin == null ? 1 : thin;
            output = output == null ? "mean" : output;
            pictures = pictures == null ? Boolean.TRUE : pictures;
            if (chains < 1 || chains > 100_000) {
                throw new IllegalArgumentException("chains must be in 1..100000, was " + chains);
            }
            if (draws < McmcDiagnostics.MIN_DRAWS || draws > 10_000_000) {
                throw new IllegalArgumentException("draws must be in " + McmcDiagnostics.MIN_DRAWS + "..10000000, was "
                        + draws);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
            }
            if (thin < 1) {
                throw new IllegalArgumentException("thin must be >= 1, was " + thin);
            }
            if (!OUTPUT.contains(output)) {
                throw new IllegalArgumentException("output must be one of " + OUTPUT + ", was '" + output + "'");
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Block Gibbs sampling (exact conditionals), parallel chains, split R-hat and ESS, chain snapshots";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(BlockGibbs.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        BlockGibbs gibbs = model.as(BlockGibbs.class).orElseThrow(() -> new IllegalArgumentException(
                "gibbs needs a model with BlockGibbs; " + model.getClass().getSimpleName() + " has none"));
        Optional<Energy> energy = model.as(Energy.class);
        long[] sampleShape = model.data().sampleShape();
        int d = Math.toIntExact(model.data().dimension());
        int m = config.chains();
        int draws = config.draws();
        boolean mean = config.output().equals("mean");
        boolean bernoulli = gibbs.visibleUnits() == BlockGibbs.Units.BERNOULLI;
        if ((long) m * draws * d > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("chains x draws x dimension = " + m + " x " + draws + " x " + d
                    + " values do not fit one sample tensor (2 GiB of float32); keep fewer draws or thin more");
        }
        long[] outShape = shape((long) m * draws, sampleShape);
        Rng rng = context.rng();
        long total = config.warmup() + (long) draws * config.thin();
        Snapshots snapshots = config.pictures() ? new Snapshots(sampleShape, m, total) : null;
        double[][] freeEnergy = energy.isPresent() ? new double[m][draws] : null;

        Tensor samples = Tensor.allocate(context.allocator(), DType.FLOAT32, outShape);
        Tensor v = null;
        try {
            try (Tensor h0 = randomHidden(gibbs.hiddenUnits(), m, rng.split("init"), context)) {
                v = gibbs.sampleVisible(h0, rng.split("init"));
                if (snapshots != null) {
                    snapshots.record(0, v.toDoubleArray(), meanOf(gibbs, h0, bernoulli));
                }
            }
            Rng sweep = rng.split("sweep");
            int kept = 0;
            long reportEvery = Math.max(1, total / 100);
            context.progress(0, total);
            for (long t = 1; t <= total && !context.isCancelled(); t++) {
                Tensor next;
                double[] out = null;
                try (Tensor h = gibbs.sampleHidden(v, sweep)) {
                    next = gibbs.sampleVisible(h, sweep);
                    boolean keep = t > config.warmup() && (t - config.warmup()) % config.thin() == 0;
                    boolean snap = snapshots != null && snapshots.wants(t);
                    if (keep || snap) {
                        double[] states = next.toDoubleArray();
                        double[] means = mean ? meanOf(gibbs, h, bernoulli) : states;
                        if (keep) {
                            out = means;
                        }
                        if (snap) {
                            snapshots.record(t, states, means);
                        }
                    }
                }
                v.close();
                v = next;
                if (out != null) {
                    store(samples, out, m, d, draws, kept);
                    if (freeEnergy != null) {
                        try (Tensor f = energy.get().energy(v)) {
                            for (int c = 0; c < m; c++) {
                                freeEnergy[c][kept] = f.getDouble(c);
                            }
                        }
                    }
                    kept++;
                }
                if (t % reportEvery == 0 || t == total) {
                    context.progress(t, total);
                    if (freeEnergy != null && kept > 0) {
                        double s = 0;
                        for (int c = 0; c < m; c++) {
                            s += freeEnergy[c][kept - 1] / m;
                        }
                        context.log(t, Map.of("free_energy", s));
                    }
                }
            }
            if (kept < draws) {
                Tensor shorter = firstDraws(samples, m, draws, kept, d, sampleShape, context);
                samples.close();
                samples = shorter;
            }
            List<Metric> diagnostics = diagnostics(samples, m, kept, d, freeEnergy, config, mean, kept < draws);
            if (snapshots != null) {
                try {
                    Pictures.write(snapshots, model, energy, context.outputDirectory(), context.allocator());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the Gibbs sampler's pictures", e);
                }
            }
            return new SampleResult(samples, m, diagnostics);
        } catch (RuntimeException | Error e) {
            samples.close();
            throw e;
        } finally {
            if (v != null) {
                v.close();
            }
        }
    }

    private static long[] shape(long rows, long[] sampleShape) {
        long[] s = new long[sampleShape.length + 1];
        s[0] = rows;
        System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
        return s;
    }

    private static Tensor randomHidden(int hidden, int m, Rng rng, RunContext context) {
        double[] h = new double[m * hidden];
        for (int k = 0; k < h.length; k++) {
            h[k] = rng.nextDouble() < 0.5 ? 1 : 0;
        }
        return Tensor.of(context.allocator(), DType.FLOAT32, h, m, hidden);
    }

    /** E[v | h]: sigmoid of the log-odds (Bernoulli units) or the mean itself. */
    static double[] meanOf(BlockGibbs gibbs, Tensor h, boolean bernoulli) {
        try (Tensor g = gibbs.visibleField(h)) {
            double[] x = g.toDoubleArray();
            if (bernoulli) {
                for (int k = 0; k < x.length; k++) {
                    x[k] = 1 / (1 + Math.exp(-x[k]));
                }
            }
            return x;
        }
    }

    /** Chain-major: draw {@code draw} of chain c at row c * draws + draw. */
    private static void store(Tensor samples, double[] states, int m, int d, int draws, int draw) {
        java.nio.FloatBuffer out = samples.buffer().nioBuffer(0, Math.toIntExact(samples.size() * 4))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int c = 0; c < m; c++) {
            long row = (long) c * draws + draw;
            for (int i = 0; i < d; i++) {
                out.put(Math.toIntExact(row * d + i), (float) states[c * d + i]);
            }
        }
    }

    private static Tensor firstDraws(Tensor samples, int m, int draws, int kept, int d, long[] sampleShape,
            RunContext context) {
        Tensor shorter = Tensor.allocate(context.allocator(), DType.FLOAT32, shape((long) m * kept, sampleShape));
        long rowBytes = 4L * d;
        for (int c = 0; c < m; c++) {
            shorter.buffer().setBytes((long) c * kept * rowBytes, samples.buffer(), (long) c * draws * rowBytes,
                    kept * rowBytes);
        }
        return shorter;
    }

    private List<Metric> diagnostics(Tensor samples, int m, int kept, int d, double[][] freeEnergy, Config config,
            boolean mean, boolean cancelled) {
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("sampler", NAME);
        protocol.put("chains", m);
        protocol.put("draws", kept);
        protocol.put("warmup", config.warmup());
        protocol.put("thin", config.thin());
        protocol.put("output", mean ? "E[v | h]" : "v");
        protocol.put("init", "uniformly random hidden state, then v ~ p(v | h)");
        if (cancelled) {
            protocol.put("cancelled", true);
        }
        List<Metric> metrics = new ArrayList<>();
        Map<String, Object> acceptance = new LinkedHashMap<>(protocol);
        acceptance.put("note", "exact conditional draws: every sweep is accepted");
        metrics.add(new Metric("acceptance_rate", 1.0, "mcmc", acceptance));
        if (kept < McmcDiagnostics.MIN_DRAWS) {
            return metrics;
        }
        double[] x = samples.toDoubleArray();
        double rhatMax = Double.NEGATIVE_INFINITY;
        double essMin = Double.POSITIVE_INFINITY;
        int constant = 0;
        double[][] perChain = new double[m][kept];
        for (int i = 0; i < d; i++) {
            boolean varies = false;
            double first = x[i];
            for (int c = 0; c < m; c++) {
                for (int k = 0; k < kept; k++) {
                    double value = x[((c * kept) + k) * d + i];
                    perChain[c][k] = value;
                    varies |= value != first;
                }
            }
            if (!varies) {
                constant++;
                continue;
            }
            // Math.max and min propagate NaN: a dimension stuck at different values in different chains shows.
            rhatMax = Math.max(rhatMax, McmcDiagnostics.rankNormalizedSplitRhat(perChain));
            essMin = Math.min(essMin, McmcDiagnostics.essBulk(perChain));
        }
        Map<String, Object> rhatProtocol = new LinkedHashMap<>(protocol);
        rhatProtocol.put("method", "rank-normalized split R-hat, max(bulk, tail), Vehtari et al. 2021");
        rhatProtocol.put("constant_dimensions", constant);
        Map<String, Object> essProtocol = new LinkedHashMap<>(protocol);
        essProtocol.put("method", "bulk ESS, rank-normalized split chains, Geyer initial monotone sequence");
        essProtocol.put("constant_dimensions", constant);
        if (constant < d) {
            metrics.add(new Metric("split_rhat_max", rhatMax, "mcmc", rhatProtocol));
            metrics.add(new Metric("ess_bulk_min", essMin, "mcmc", essProtocol));
        }
        if (freeEnergy != null) {
            double[][] f = new double[m][];
            for (int c = 0; c < m; c++) {
                f[c] = java.util.Arrays.copyOf(freeEnergy[c], kept);
            }
            Map<String, Object> fp = new LinkedHashMap<>(rhatProtocol);
            fp.remove("constant_dimensions");
            fp.put("statistic", "free energy F(v) of the chains' sampled states");
            metrics.add(new Metric("free_energy_rhat", McmcDiagnostics.rankNormalizedSplitRhat(f), "mcmc", fp));
            metrics.add(new Metric("free_energy_ess_bulk", McmcDiagnostics.essBulk(f), "mcmc", fp));
        }
        return metrics;
    }
}
