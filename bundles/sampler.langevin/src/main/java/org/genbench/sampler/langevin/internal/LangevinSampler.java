package org.genbench.sampler.langevin.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.DirectSampling;
import org.genbench.api.Energy;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.plot.Landscapes;
import org.genbench.plot.Plots;
import org.genbench.stats.McmcDiagnostics;
import org.osgi.service.component.annotations.Component;

/**
 * Unadjusted Langevin dynamics: x_(t+1) = x_t + eps_t grad log p(x_t) + s_t sqrt(2 eps_t) z, z ~ N(0, I), with
 * grad log p = -dE/dx ({@link Energy}) or the model's {@link Score}. With s_t = 1 and eps_t fixed this is ULA, whose
 * stationary distribution differs from p by O(eps) (no Metropolis correction: MALA in sampler.mcmc has one); with
 * eps_t = stepSize (1 + t / decaySteps)^(-gamma) it is the schedule of SGLD (Welling and Teh 2011), which removes the
 * bias as eps_t goes to 0; a noise scale below 1 samples a sharpened p^(1/s^2) (the "short-run" chains of energy-based
 * model training). The noise scale may anneal linearly from {@code noiseScale} to {@code finalNoiseScale}.
 *
 * <p>Chains start from the model's own draws when it has {@link DirectSampling}, else from N(0, initScale^2 I).
 * Diagnostics: rank-normalized split R-hat and bulk ESS per dimension (worst values). For 2-D models a picture of the
 * first chains' paths over the energy landscape.
 */
@Component(service = Sampler.class)
public final class LangevinSampler implements Sampler<LangevinSampler.Config> {
    public static final String NAME = "langevin";
    static final List<String> SCHEDULES = List.of("constant", "polynomial");

    /**
     * @param chains          parallel chains, 1..100000 (default 10)
     * @param draws           kept steps per chain, 4..10000000 (default 1000)
     * @param warmup          steps before the first kept one, at least 0 (default 1000)
     * @param thin            keep every thin-th step, at least 1 (default 1)
     * @param stepSize        eps (at t = 0), finite and &gt; 0 (default 0.01)
     * @param schedule        {@code constant} (ULA, the default) or {@code polynomial} (SGLD's decay)
     * @param decaySteps      the polynomial schedule's b, eps_t = stepSize (1 + t / b)^(-gamma), &gt; 0 (default 1000)
     * @param gamma           its exponent, in (0, 1] (default 0.55; Welling and Teh use 0.5 &lt; gamma &lt;= 1)
     * @param noiseScale      s at t = 0, in [0, 10] (default 1: the target itself)
     * @param finalNoiseScale s at the last step, reached linearly, in [0, 10] (default noiseScale)
     * @param initScale       chains start at N(0, initScale^2) unless the model has DirectSampling, &gt; 0 (default 1)
     * @param pictures        paths over the energy landscape for 2-D models (default true)
     */
    public record Config(Integer chains, Integer draws, Integer warmup, Integer thin, Double stepSize, String schedule,
                         Double decaySteps, Double gamma, Double noiseScale, Double finalNoiseScale, Double initScale,
                         Boolean pictures) {
        public Config {
            chains = chains == null ? 10 : chains;
            draws = draws == null ? 1000 : draws;
            warmup = warmup == null ? 1000 : warmup;
            thin = thin == null ? 1 : thin;
            stepSize = stepSize == null ? 0.01 : stepSize;
            schedule = schedule == null ? "constant" : schedule;
            decaySteps = decaySteps == null ? 1000.0 : decaySteps;
            gamma = gamma == null ? 0.55 : gamma;
            noiseScale = noiseScale == null ? 1.0 : noiseScale;
            finalNoiseScale = finalNoiseScale == null ? noiseScale : finalNoiseScale;
            initScale = initScale == null ? 1.0 : initScale;
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
            positive("stepSize", stepSize);
            if (!SCHEDULES.contains(schedule)) {
                throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", was '" + schedule + "'");
            }
            positive("decaySteps", decaySteps);
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1], was " + gamma);
            }
            for (Map.Entry<String, Double> e : Map.of("noiseScale", noiseScale, "finalNoiseScale", finalNoiseScale)
                    .entrySet()) {
                if (!(e.getValue() >= 0 && e.getValue() <= 10)) {
                    throw new IllegalArgumentException(e.getKey() + " must be in [0, 10], was " + e.getValue());
                }
            }
            positive("initScale", initScale);
        }

        private static void positive(String name, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be finite and > 0, was " + v);
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null);
        }

        double step(long t) {
            return schedule.equals("constant") ? stepSize : stepSize * Math.pow(1 + t / decaySteps, -gamma);
        }

        double noise(long t, long total) {
            return total <= 1 ? noiseScale : noiseScale + (finalNoiseScale - noiseScale) * t / (total - 1.0);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Unadjusted Langevin dynamics (ULA) with SGLD step-size decay and a noise schedule; Energy or Score";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.anyOf(Energy.class, Score.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        DataInfo info = model.data();
        if (DataInfo.BINARY.equals(info.kind())) {
            throw new IllegalArgumentException("langevin moves continuous states, but " + info.name() + " is binary"
                    + " data; sample a binary model with gibbs");
        }
        Optional<Energy> energy = model.as(Energy.class);
        Optional<Score> score = model.as(Score.class);
        if (energy.isEmpty() && score.isEmpty()) {
            throw new IllegalArgumentException("langevin needs a model with Energy or Score; "
                    + model.getClass().getSimpleName() + " has neither");
        }
        int d = Math.toIntExact(info.dimension());
        int m = config.chains();
        int draws = config.draws();
        long[] sampleShape = info.sampleShape();
        long[] chainShape = shape(m, sampleShape);
        long total = config.warmup() + (long) draws * config.thin();
        Rng rng = context.rng();
        double[] x = initial(model, m, d, config, rng.split("init"), context);
        // On dequantized discrete data the model is a density on [0, 1)^d (E = +infinity outside): each step is
        // reflected at the cube's faces, the standard way to keep Langevin chains in a box.
        Dequantization cubeDq = info.dequantization();
        boolean cube = cubeDq != null && !cubeDq.hasLogit();
        boolean plane = sampleShape.length == 1 && sampleShape[0] == 2 && config.pictures();
        int paths = Math.min(m, 4);
        int pathSteps = (int) Math.min(total, 150);
        double[][] trace = plane ? new double[paths][2 * (pathSteps + 1)] : null;
        if (plane) {
            record(trace, x, 0);
        }
        double[] kept = new double[Math.multiplyExact(Math.multiplyExact(m, draws), d)];
        Rng noise = rng.split("noise");
        int stored = 0;
        long reportEvery = Math.max(1, total / 100);
        context.progress(0, total);
        try (Tensor state = Tensor.allocate(context.allocator(), DType.FLOAT64, chainShape)) {
            for (long t = 0; t < total && !context.isCancelled(); t++) {
                state.setDoubles(x);
                double[] drift;
                try (Tensor g = energy.isPresent() ? energy.get().energyGradient(state) : score.get().score(state)) {
                    drift = g.toDoubleArray();
                }
                double eps = config.step(t);
                double s = config.noise(t, total) * Math.sqrt(2 * eps);
                double sign = energy.isPresent() ? -1 : 1;
                for (int k = 0; k < x.length; k++) {
                    x[k] += sign * eps * drift[k] + s * noise.nextGaussian();
                    if (cube) {
                        x[k] = reflect(x[k]);
                    }
                }
                if (plane && t + 1 <= pathSteps) {
                    record(trace, x, (int) t + 1);
                }
                long done = t + 1;
                if (done > config.warmup() && (done - config.warmup()) % config.thin() == 0) {
                    for (int c = 0; c < m; c++) {
                        System.arraycopy(x, c * d, kept, (c * draws + stored) * d, d);
                    }
                    stored++;
                }
                if (done % reportEvery == 0 || done == total) {
                    context.progress(done, total);
                    Map<String, Double> line = new LinkedHashMap<>();
                    line.put("step_size", eps);
                    line.put("noise_scale", config.noise(t, total));
                    if (energy.isPresent()) {
                        try (Tensor e = energy.get().energy(state)) {
                            line.put("energy", java.util.Arrays.stream(e.toDoubleArray()).average().orElse(Double.NaN));
                        }
                    }
                    context.log(done, line);
                }
            }
        }
        double[] out = stored == draws ? kept : shorter(kept, m, draws, stored, d);
        // The diagnostics see the chains' continuous states; the samples are data: on dequantized discrete data the
        // model's P(levels) is the integral of its density over each cell, so quantizing x' ~ p gives exact draws of
        // it (floor(levels x'), clipped to the levels).
        Dequantization dq = info.dequantization();
        double[] values = dq == null ? out : quantized(out, dq.levels());
        Tensor samples = Tensor.of(context.allocator(), DType.FLOAT64, values, shape((long) m * stored, sampleShape));
        try {
            List<Metric> diagnostics = diagnostics(out, m, stored, d, config, model instanceof DirectSampling,
                    energy.isPresent() ? "Energy" : "Score", stored < draws, dq);
            if (plane && energy.isPresent()) {
                picture(trace, out, energy.get(), info, context);
            }
            return new SampleResult(samples, m, diagnostics);
        } catch (RuntimeException | Error e) {
            samples.close();
            throw e;
        }
    }

    /** v folded into [0, 1) by reflection at 0 and 1 (1 itself, of probability zero, maps just below 1). */
    static double reflect(double v) {
        double r = v - 2 * Math.floor(v / 2);
        if (r > 1) {
            r = 2 - r;
        }
        return r < 1 ? r : Math.nextDown(1.0);
    }

    /** floor(levels x), clipped to 0..levels-1. */
    static double[] quantized(double[] x, int levels) {
        double[] q = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = Math.max(0, Math.min(levels - 1, Math.floor(levels * x[i])));
        }
        return q;
    }

    private static double[] initial(Model model, int m, int d, Config config, Rng rng, RunContext context) {
        if (model.data().dequantization() != null) {
            // dequantized discrete data lives in [0, 1)^d
            double[] x = new double[m * d];
            for (int k = 0; k < x.length; k++) {
                x[k] = rng.nextDouble();
            }
            return x;
        }
        if (model instanceof DirectSampling direct) {
            try (Tensor t = direct.sample(m, rng, context.allocator())) {
                if (t.size() != (long) m * d) {
                    throw new IllegalStateException("the model's DirectSampling returned " + t + " for " + m
                            + " samples of dimension " + d);
                }
                return t.toDoubleArray();
            }
        }
        double[] x = new double[m * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = config.initScale() * rng.nextGaussian();
        }
        return x;
    }

    private static void record(double[][] trace, double[] x, int t) {
        for (int c = 0; c < trace.length; c++) {
            trace[c][2 * t] = x[2 * c];
            trace[c][2 * t + 1] = x[2 * c + 1];
        }
    }

    private static long[] shape(long rows, long[] sampleShape) {
        long[] s = new long[sampleShape.length + 1];
        s[0] = rows;
        System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
        return s;
    }

    private static double[] shorter(double[] kept, int m, int draws, int stored, int d) {
        double[] out = new double[m * stored * d];
        for (int c = 0; c < m; c++) {
            System.arraycopy(kept, c * draws * d, out, c * stored * d, stored * d);
        }
        return out;
    }

    private List<Metric> diagnostics(double[] x, int m, int kept, int d, Config config, boolean fromModel,
            String source, boolean cancelled, Dequantization dq) {
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("sampler", NAME);
        protocol.put("chains", m);
        protocol.put("draws", kept);
        protocol.put("warmup", config.warmup());
        protocol.put("thin", config.thin());
        protocol.put("step_size", config.stepSize());
        protocol.put("schedule", config.schedule().equals("constant") ? "constant"
                : "polynomial: eps (1 + t / " + config.decaySteps() + ")^-" + config.gamma());
        protocol.put("noise_scale", config.noiseScale() + " to " + config.finalNoiseScale());
        protocol.put("target", source);
        if (dq != null && !dq.hasLogit()) {
            protocol.put("support", "[0, 1)^d: every step reflected at the faces");
        }
        protocol.put("init", dq != null ? "uniform on [0, 1)^d (the dequantized data's space)" : fromModel
                ? "DirectSampling" : "gaussian(initScale=" + config.initScale() + ")");
        if (dq != null) {
            protocol.put("samples", "quantized: floor(" + dq.levels() + " x') clipped to 0.." + (dq.levels() - 1)
                    + "; the diagnostics are on the continuous states x'");
        }
        protocol.put("note", "unadjusted: the chains' distribution is biased by O(step size)");
        if (cancelled) {
            protocol.put("cancelled", true);
        }
        List<Metric> metrics = new ArrayList<>();
        if (kept < McmcDiagnostics.MIN_DRAWS) {
            return metrics;
        }
        double rhatMax = Double.NEGATIVE_INFINITY;
        double essMin = Double.POSITIVE_INFINITY;
        double[][] perChain = new double[m][kept];
        for (int i = 0; i < d; i++) {
            for (int c = 0; c < m; c++) {
                for (int k = 0; k < kept; k++) {
                    perChain[c][k] = x[(c * kept + k) * d + i];
                }
            }
            rhatMax = Math.max(rhatMax, McmcDiagnostics.rankNormalizedSplitRhat(perChain));
            essMin = Math.min(essMin, McmcDiagnostics.essBulk(perChain));
        }
        Map<String, Object> rhatProtocol = new LinkedHashMap<>(protocol);
        rhatProtocol.put("method", "rank-normalized split R-hat, max(bulk, tail), Vehtari et al. 2021");
        metrics.add(new Metric("split_rhat_max", rhatMax, "mcmc", rhatProtocol));
        Map<String, Object> essProtocol = new LinkedHashMap<>(protocol);
        essProtocol.put("method", "bulk ESS, rank-normalized split chains, Geyer initial monotone sequence");
        metrics.add(new Metric("ess_bulk_min", essMin, "mcmc", essProtocol));
        return metrics;
    }

    private static void picture(double[][] trace, double[] samples, Energy energy, DataInfo info, RunContext context) {
        List<double[]> paths = new ArrayList<>(List.of(trace));
        // every chain's draws, evenly strided, so that no one chain stands for the rest
        int rows = samples.length / 2;
        int n = Math.min(rows, 4000);
        double[] cloud = new double[2 * n];
        for (int i = 0; i < n; i++) {
            int r = (int) ((long) i * rows / n);
            cloud[2 * i] = samples[2 * r];
            cloud[2 * i + 1] = samples[2 * r + 1];
        }
        double[] all = new double[cloud.length + trace.length * trace[0].length];
        System.arraycopy(cloud, 0, all, 0, cloud.length);
        for (int c = 0; c < trace.length; c++) {
            System.arraycopy(trace[c], 0, all, cloud.length + c * trace[0].length, trace[0].length);
        }
        double[] box = Landscapes.box(all);
        try {
            double[] grid = Landscapes.energyOnGrid(energy, box, 120, context.allocator());
            Plots.writePng(Plots.landscape(grid, 120, box, paths, cloud, info.name() + ": Langevin chains, first "
                    + (trace[0].length / 2 - 1) + " steps"), context.outputDirectory().resolve("trajectories.png"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Langevin sampler's picture", e);
        }
    }
}
