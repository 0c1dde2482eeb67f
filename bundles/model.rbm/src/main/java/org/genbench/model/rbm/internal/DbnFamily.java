package org.genbench.model.rbm.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.LayerwiseTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.stats.AisSettings;
import org.osgi.service.component.annotations.Component;

/**
 * Deep belief nets (Hinton, Osindero and Teh 2006): a stack of RBMs trained greedily bottom-up, the top one an
 * undirected associative memory, the ones below it directed generative weights.
 */
@Component(service = ModelFamily.class)
public final class DbnFamily implements ModelFamily<DbnFamily.Config> {
    public static final String NAME = "dbn";
    static final List<String> OUTPUT = List.of("mean", "sample");

    /**
     * @param hidden           hidden units per layer, bottom first, 1..10 layers of 1..100000 (default [500, 500])
     * @param visible          the first layer's visible units, as for {@code rbm}: {@code auto} (default),
     *                         {@code bernoulli} or {@code gaussian}
     * @param sigma            the standard deviation of Gaussian visible units (default 1), &gt; 0
     * @param initScale        couplings start as N(0, initScale^2) (default 0.01), &gt;= 0
     * @param hiddenBias       the hidden biases' starting value (default 0)
     * @param sampleGibbsSteps Gibbs sweeps in the top RBM before the down-pass when sampling, 1..1000000 (default
     *                         1000)
     * @param sampleOutput     what a sample shows at the bottom: {@code mean} (E[v | h], the default) or {@code sample}
     * @param boundSamples     samples from the recognition weights per example in the variational bound, 1..10000
     *                         (default 1: the bound of Hinton et al.; more give the importance-weighted bound)
     * @param aisChains        AIS chains for the top RBM's log Z, 2..100000 (default 100)
     * @param aisDistributions AIS intermediate distributions for it, 1..10000000 (default 1000)
     * @param aisSchedule      {@code sigmoid} (default) or {@code linear}
     */
    public record Config(List<Integer> hidden, String visible, Double sigma, Double initScale, Double hiddenBias,
                         Integer sampleGibbsSteps, String sampleOutput, Integer boundSamples, Integer aisChains,
                         Integer aisDistributions, String aisSchedule) {
        public Config {
            hidden = hidden == null ? List.of(500, 500) : List.copyOf(hidden);
            // The first layer's settings are the RBM family's and are checked there.
            RbmFamily.Config first = new RbmFamily.Config(hidden.isEmpty() ? null : hidden.get(0), visible, sigma,
                    initScale, hiddenBias);
            visible = first.visible();
            sigma = first.sigma();
            initScale = first.initScale();
            hiddenBias = first.hiddenBias();
            sampleGibbsSteps = sampleGibbsSteps == null ? 1000 : sampleGibbsSteps;
            sampleOutput = sampleOutput == null ? "mean" : sampleOutput;
            boundSamples = boundSamples == null ? 1 : boundSamples;
            aisChains = aisChains == null ? 100 : aisChains;
            aisDistributions = aisDistributions == null ? 1000 : aisDistributions;
            aisSchedule = aisSchedule == null ? "sigmoid" : aisSchedule;
            if (hidden.isEmpty() || hidden.size() > 10) {
                throw new IllegalArgumentException("hidden must list 1..10 layer sizes, was " + hidden);
            }
            for (int i = 0; i < hidden.size(); i++) {
                Integer h = hidden.get(i);
                if (h == null || h < 1 || h > 100_000) {
                    throw new IllegalArgumentException("hidden[" + i + "] must be in 1..100000, was " + h);
                }
            }
            if (sampleGibbsSteps < 1 || sampleGibbsSteps > 1_000_000) {
                throw new IllegalArgumentException("sampleGibbsSteps must be in 1..1000000, was " + sampleGibbsSteps);
            }
            if (!OUTPUT.contains(sampleOutput)) {
                throw new IllegalArgumentException("sampleOutput must be one of " + OUTPUT + ", was '" + sampleOutput
                        + "'");
            }
            if (boundSamples < 1 || boundSamples > 10_000) {
                throw new IllegalArgumentException("boundSamples must be in 1..10000, was " + boundSamples);
            }
            if (aisChains < 2 || aisChains > 100_000) {
                throw new IllegalArgumentException("aisChains must be in 2..100000, was " + aisChains);
            }
            if (aisDistributions < 1 || aisDistributions > 10_000_000) {
                throw new IllegalArgumentException("aisDistributions must be in 1..10000000, was " + aisDistributions);
            }
            if (!AisSettings.SCHEDULES.contains(aisSchedule)) {
                throw new IllegalArgumentException("aisSchedule must be one of " + AisSettings.SCHEDULES + ", was '"
                        + aisSchedule + "'");
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null);
        }

        AisSettings ais() {
            return new AisSettings(aisDistributions, aisChains, aisSchedule);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Deep belief net: RBMs stacked and trained greedily; Gibbs in the top layer then a down-pass; variational"
                + " bound with AIS on the top layer";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LayerwiseTrainable.class, DirectSampling.class, LogDensityBound.class, Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        boolean gaussian = RbmFamily.gaussianVisible(config.visible(), data);
        List<RbmLayer> layers = new ArrayList<>();
        int below = RbmFamily.visibleUnits(data);
        for (int i = 0; i < config.hidden().size(); i++) {
            RbmLayer l = new RbmLayer(below, config.hidden().get(i), i == 0 && gaussian, config.sigma());
            l.initialize(config.initScale(), config.hiddenBias(), rng.split(i));
            layers.add(l);
            below = config.hidden().get(i);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("hidden", config.hidden());
        settings.put("visible", gaussian ? "gaussian" : "bernoulli");
        settings.put("sigma", config.sigma());
        return new DbnModel(layers, data, config, settings);
    }
}
