package org.genbench.sampler.mcmc.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.genbench.api.Dequantization;
import org.genbench.api.DirectSampling;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.McmcDiagnostics;

/**
 * What the three samplers share: starting points, warmup with step-size adaptation, thinning, storing draws
 * chain-major, progress, cancellation and the diagnostics. The kernel is the only part that differs.
 */
final class ChainRunner {
    private final String sampler;
    private final Settings settings;
    private final double targetAcceptance;
    private final Map<String, Object> extraProtocol;

    /**
     * @param extraProtocol sampler-specific settings that make its diagnostics comparable (leapfrog steps)
     */
    ChainRunner(String sampler, Settings settings, double targetAcceptance, Map<String, Object> extraProtocol) {
        this.sampler = sampler;
        this.settings = settings;
        this.targetAcceptance = targetAcceptance;
        this.extraProtocol = Map.copyOf(extraProtocol);
    }

    SampleResult run(Model model, Target target, Kernel.Factory kernels, RunContext context) {
        int chains = settings.chains();
        int draws = settings.draws();
        int dim = target.dim();
        Rng rng = context.rng();
        Rng[] chainRngs = new Rng[chains];
        for (int c = 0; c < chains; c++) {
            chainRngs[c] = rng.split(c);
        }
        // Dequantized discrete data: the chains move in x' in [0, 1)^d, start uniform there, and the samples are the
        // levels floor(L x'), exact draws of the model's P(levels) (its density integrated over each cell).
        Dequantization dq = model.data().dequantization();
        boolean fromModel = dq == null && model instanceof DirectSampling;
        double[] initial = dq != null ? initialUniform(chainRngs, dim)
                : fromModel ? initialFromModel((DirectSampling) model, chains, dim, rng.split("init"), context)
                : initialGaussian(chainRngs, dim);
        Kernel kernel = kernels.create(target, initial, chainRngs);

        long[] batchShape = target.batchShape();
        long[] sampleShape = batchShape.clone();
        sampleShape[0] = (long) chains * draws;
        Tensor samples = Tensor.allocate(context.allocator(), DType.FLOAT64, sampleShape);
        try {
            DualAveraging adaptation = new DualAveraging(settings.stepSize(), targetAcceptance);
            boolean adapting = settings.adapt() && settings.warmup() > 0;
            double step = adapting ? adaptation.stepSize() : settings.stepSize();
            boolean[] accepted = new boolean[chains];
            long[] acceptedCount = new long[chains];
            long total = settings.warmup() + (long) draws * settings.thin();
            long reportEvery = Math.max(1, total / 100);
            double windowProbability = 0;
            int windowLength = 0;
            int kept = 0;
            long postWarmup = 0;
            ArrowBuf out = samples.buffer();
            context.progress(0, total);
            for (long iteration = 0; iteration < total; iteration++) {
                if (context.isCancelled()) {
                    break;
                }
                boolean warmup = iteration < settings.warmup();
                double probability = kernel.step(step, accepted);
                windowProbability += probability;
                windowLength++;
                if (warmup) {
                    if (adapting) {
                        adaptation.update(probability);
                        step = iteration + 1 == settings.warmup() ? adaptation.finalStepSize() : adaptation.stepSize();
                    }
                } else {
                    postWarmup++;
                    for (int c = 0; c < chains; c++) {
                        acceptedCount[c] += accepted[c] ? 1 : 0;
                    }
                    if (postWarmup % settings.thin() == 0) {
                        store(out, kernel.states(), chains, dim, draws, kept++);
                    }
                }
                if ((iteration + 1) % reportEvery == 0 || iteration + 1 == total) {
                    context.progress(iteration + 1, total);
                    context.log(iteration + 1, Map.of("step_size", step, "accept_prob", windowProbability / windowLength));
                    windowProbability = 0;
                    windowLength = 0;
                }
            }
            if (kept < draws) {
                samples = firstDraws(samples, chains, draws, kept, dim, context);
            }
            String init = dq != null ? "uniform on [0, 1)^d (the dequantized data's space); samples quantized:"
                    + " floor(" + dq.levels() + " x'), the diagnostics on x'" + (target.cube()
                            ? "; the target is the density on [0, 1)^d (proposals outside rejected)" : "")
                    : fromModel ? "DirectSampling" : "gaussian(initScale=" + settings.initScale() + ")";
            List<Metric> diagnostics = diagnostics(samples, chains, kept, dim, acceptedCount, postWarmup, step,
                    target.source(), init, kept < draws);
            if (dq != null) {
                for (long i = 0; i < samples.size(); i++) {
                    samples.setDouble(i, Math.max(0, Math.min(dq.levels() - 1,
                            Math.floor(dq.levels() * samples.getDouble(i)))));
                }
            }
            return new SampleResult(samples, chains, diagnostics);
        } catch (RuntimeException | Error e) {
            samples.close();
            throw e;
        }
    }

    private static double[] initialUniform(Rng[] chainRngs, int dim) {
        double[] x = new double[chainRngs.length * dim];
        for (int c = 0; c < chainRngs.length; c++) {
            for (int i = 0; i < dim; i++) {
                x[c * dim + i] = chainRngs[c].nextDouble();
            }
        }
        return x;
    }

    private double[] initialGaussian(Rng[] chainRngs, int dim) {
        double[] x = new double[chainRngs.length * dim];
        for (int c = 0; c < chainRngs.length; c++) {
            for (int i = 0; i < dim; i++) {
                x[c * dim + i] = settings.initScale() * chainRngs[c].nextGaussian();
            }
        }
        return x;
    }

    /** The model's own independent draws start the chains where the mass is, so warmup only tunes the step. */
    private static double[] initialFromModel(DirectSampling model, int chains, int dim, Rng rng, RunContext context) {
        try (Tensor t = model.sample(chains, rng, context.allocator())) {
            if (t.size() != (long) chains * dim) {
                throw new IllegalStateException("the model's DirectSampling returned " + t + " for " + chains
                        + " samples of dimension " + dim);
            }
            return t.toDoubleArray();
        }
    }

    private static void store(ArrowBuf out, double[] states, int chains, int dim, int draws, int draw) {
        for (int c = 0; c < chains; c++) {
            long row = (long) c * draws + draw;
            for (int i = 0; i < dim; i++) {
                out.setDouble(8L * (row * dim + i), states[c * dim + i]);
            }
        }
    }

    /** After a cancellation: the draws kept so far, still chain-major, in a tensor of their own. */
    private static Tensor firstDraws(Tensor samples, int chains, int draws, int kept, int dim, RunContext context) {
        long[] shape = samples.shape();
        shape[0] = (long) chains * kept;
        Tensor shorter = Tensor.allocate(context.allocator(), DType.FLOAT64, shape);
        try (samples) {
            ArrowBuf from = samples.buffer();
            ArrowBuf to = shorter.buffer();
            long rowBytes = 8L * dim;
            for (int c = 0; c < chains; c++) {
                to.setBytes((long) c * kept * rowBytes, from, (long) c * draws * rowBytes, kept * rowBytes);
            }
        }
        return shorter;
    }

    private List<Metric> diagnostics(Tensor samples, int chains, int kept, int dim, long[] acceptedCount,
            long postWarmup, double step, String source, String init, boolean cancelled) {
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("sampler", sampler);
        protocol.put("chains", chains);
        protocol.put("draws", kept);
        protocol.put("warmup", settings.warmup());
        protocol.put("thin", settings.thin());
        protocol.put("target", source);
        protocol.put("init", init);
        protocol.putAll(extraProtocol);
        if (cancelled) {
            protocol.put("cancelled", true);
        }
        List<Metric> metrics = new ArrayList<>();

        Map<String, Object> acceptance = new LinkedHashMap<>(protocol);
        double meanAcceptance = 0;
        for (int c = 0; c < chains; c++) {
            double rate = postWarmup == 0 ? Double.NaN : (double) acceptedCount[c] / postWarmup;
            acceptance.put("chain_" + c, rate);
            meanAcceptance += rate / chains;
        }
        acceptance.put("target_acceptance", targetAcceptance);
        metrics.add(new Metric("acceptance_rate", meanAcceptance, "mcmc", acceptance));

        Map<String, Object> stepProtocol = new LinkedHashMap<>(protocol);
        stepProtocol.put("adapted", settings.adapt() && settings.warmup() > 0);
        stepProtocol.put("initial_step_size", settings.stepSize());
        metrics.add(new Metric("step_size", step, "mcmc", stepProtocol));

        metrics.add(new Metric("init_from_model", init.equals("DirectSampling") ? 1 : 0, "mcmc", protocol));

        if (kept >= McmcDiagnostics.MIN_DRAWS) {
            double rhatMax = Double.NEGATIVE_INFINITY;
            double essMin = Double.POSITIVE_INFINITY;
            ArrowBuf buf = samples.buffer();
            double[][] perChain = new double[chains][kept];
            for (int i = 0; i < dim; i++) {
                for (int c = 0; c < chains; c++) {
                    for (int k = 0; k < kept; k++) {
                        perChain[c][k] = buf.getDouble(8L * (((long) c * kept + k) * dim + i));
                    }
                }
                // Math.max and min propagate NaN: one undiagnosable dimension makes the whole run undiagnosable.
                rhatMax = Math.max(rhatMax, McmcDiagnostics.rankNormalizedSplitRhat(perChain));
                essMin = Math.min(essMin, McmcDiagnostics.essBulk(perChain));
            }
            Map<String, Object> rhatProtocol = new LinkedHashMap<>(protocol);
            rhatProtocol.put("method", "rank-normalized split R-hat, max(bulk, tail), Vehtari et al. 2021");
            metrics.add(new Metric("split_rhat_max", rhatMax, "mcmc", rhatProtocol));
            Map<String, Object> essProtocol = new LinkedHashMap<>(protocol);
            essProtocol.put("method", "bulk ESS, rank-normalized split chains, Geyer initial monotone sequence");
            metrics.add(new Metric("ess_bulk_min", essMin, "mcmc", essProtocol));
        }
        return metrics;
    }
}
