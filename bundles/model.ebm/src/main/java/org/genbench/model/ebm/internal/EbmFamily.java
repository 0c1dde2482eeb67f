package org.genbench.model.ebm.internal;

import java.util.List;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * Deep energy-based models p(x) ∝ exp(-E(x)) with an MLP energy (or, for images, a conv energy), trained by the {@code gradient} trainer on one of
 * two objectives: maximum likelihood with persistent Langevin chains kept in a replay buffer (Du and Mordatch 2019:
 * each step restarts a fraction of the chains from uniform noise, runs K unadjusted Langevin steps from the rest,
 * and minimizes mean E(data) - mean E(chains) plus alpha times both energies squared), or denoising score matching
 * (Vincent 2011: 0.5 E||sigma s(x + sigma eps) + eps||^2 with s = -dE/dx). Sample it with {@code langevin},
 * {@code mala} or {@code hmc}; {@code loglik} kind {@code ais} estimates its log Z.
 */
@Component(service = ModelFamily.class)
public final class EbmFamily implements ModelFamily<EbmFamily.Config> {
    public static final String NAME = "ebm";
    static final String LANGEVIN = "langevin";
    static final String DSM = "dsm";
    static final List<String> OBJECTIVES = List.of(LANGEVIN, DSM);
    static final String MLP = "mlp";
    static final String CONV = "conv";
    static final List<String> NETWORKS = List.of(MLP, CONV);

    /**
     * @param objective     {@code langevin} (maximum likelihood with Langevin chains; default) or {@code dsm}
     *                      (denoising score matching)
     * @param hidden        units per hidden layer (default 128, 1..8192)
     * @param depth         softplus hidden layers (default 2, 1..8)
     * @param langevinSteps Langevin steps per training step (default 20, 1..10000)
     * @param stepSize      the Langevin step eps: x - eps/2 dE/dx + noiseScale sqrt(eps) xi (default 0.01, > 0)
     * @param noiseScale    the noise's factor (default 1: unadjusted Langevin; 0..1, below 1 the usual EBM
     *                      "temperature" trick, which no longer targets exp(-E))
     * @param bufferSize    chains in the replay buffer (default 10000, 0..10^7; 0: every step starts all chains
     *                      from noise, short-run Langevin)
     * @param reinit        fraction of the chains restarted from noise each step (default 0.05, 0..1)
     * @param initLow       low end of the uniform noise chains start from (default -4)
     * @param initHigh      high end of that noise (default 4, > initLow)
     * @param alpha         weight of the energies' squares in the Langevin objective (default 0.1, >= 0)
     * @param sigma         the noise level of denoising score matching (default 0.1, > 0)
     * @param network       {@code mlp} (default) or {@code conv} (images [C, H, W] only: three stride-2 3x3
     *                      convolutions, a dense layer of {@code hidden} units, SiLU; {@code depth} unused). conv is
     *                      trained by {@code langevin} only: dsm needs the weights' gradient of a loss on dE/dx,
     *                      second-order autograd that nn lacks (the MLP's dE/dx is written out by hand instead)
     * @param channels      the conv energy's first-layer channels, doubled in the next two (default 16, 1..512)
     */
    public record Config(String objective, Integer hidden, Integer depth, Integer langevinSteps, Double stepSize,
                         Double noiseScale, Integer bufferSize, Double reinit, Double initLow, Double initHigh,
                         Double alpha, Double sigma, String network, Integer channels) {
        public Config {
            network = network == null ? MLP : network;
            channels = channels == null ? 16 : channels;
            if (!NETWORKS.contains(network)) {
                throw new IllegalArgumentException("network must be one of " + NETWORKS + ", was '" + network + "'");
            }
            range("channels", channels, 1, 512);
            objective = objective == null ? LANGEVIN : objective;
            hidden = hidden == null ? 128 : hidden;
            depth = depth == null ? 2 : depth;
            langevinSteps = langevinSteps == null ? 20 : langevinSteps;
            stepSize = stepSize == null ? 0.01 : stepSize;
            noiseScale = noiseScale == null ? 1.0 : noiseScale;
            bufferSize = bufferSize == null ? 10000 : bufferSize;
            reinit = reinit == null ? 0.05 : reinit;
            initLow = initLow == null ? -4.0 : initLow;
            initHigh = initHigh == null ? 4.0 : initHigh;
            alpha = alpha == null ? 0.1 : alpha;
            sigma = sigma == null ? 0.1 : sigma;
            if (!OBJECTIVES.contains(objective)) {
                throw new IllegalArgumentException("objective must be one of " + OBJECTIVES + ", was '" + objective + "'");
            }
            range("hidden", hidden, 1, 8192);
            range("depth", depth, 1, 8);
            range("langevinSteps", langevinSteps, 1, 10000);
            range("bufferSize", bufferSize, 0, 10_000_000);
            positive("stepSize", stepSize);
            positive("sigma", sigma);
            if (!(noiseScale >= 0 && noiseScale <= 1)) {
                throw new IllegalArgumentException("noiseScale must be in [0, 1], was " + noiseScale);
            }
            if (!(reinit >= 0 && reinit <= 1)) {
                throw new IllegalArgumentException("reinit must be in [0, 1], was " + reinit);
            }
            if (!Double.isFinite(initLow) || !Double.isFinite(initHigh) || !(initHigh > initLow)) {
                throw new IllegalArgumentException("initLow and initHigh must be finite with initLow < initHigh, were "
                        + initLow + " and " + initHigh);
            }
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be finite and >= 0, was " + alpha);
            }
            if (network.equals(CONV) && objective.equals(DSM)) {
                throw new IllegalArgumentException("network 'conv' needs objective 'langevin': denoising score matching"
                        + " differentiates a loss on dE/dx in the weights, a second-order gradient nn does not have"
                        + " (use network 'mlp', whose dE/dx is written out as a graph, for dsm)");
            }
        }

        /** An MLP energy. */
        public Config(String objective, Integer hidden, Integer depth, Integer langevinSteps, Double stepSize,
                      Double noiseScale, Integer bufferSize, Double reinit, Double initLow, Double initHigh,
                      Double alpha, Double sigma) {
            this(objective, hidden, depth, langevinSteps, stepSize, noiseScale, bufferSize, reinit, initLow, initHigh,
                    alpha, sigma, null, null);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        private static void range(String name, int v, int lo, int hi) {
            if (v < lo || v > hi) {
                throw new IllegalArgumentException(name + " must be in " + lo + ".." + hi + ", was " + v);
            }
        }

        private static void positive(String name, double v) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be finite and > 0, was " + v);
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Deep energy-based model (MLP energy, or conv for images) trained by Langevin maximum likelihood with a replay buffer or by"
                + " denoising score matching";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(Energy.class, Score.class, GradientTrainable.class, Persistent.class);
    }

    /** Initial weights and the replay buffer's initial noise are drawn from {@code rng}. */
    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new EbmModel(config, data, rng);
    }
}
