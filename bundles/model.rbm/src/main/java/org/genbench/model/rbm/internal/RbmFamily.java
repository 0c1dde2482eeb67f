package org.genbench.model.rbm.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genbench.api.BlockGibbs;
import org.genbench.api.Capability;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/** Restricted Boltzmann machines with Bernoulli or Gaussian visible units and Bernoulli hidden units. */
@Component(service = ModelFamily.class)
public final class RbmFamily implements ModelFamily<RbmFamily.Config> {
    public static final String NAME = "rbm";
    static final List<String> VISIBLE = List.of("auto", "bernoulli", "gaussian");

    /**
     * @param hidden     hidden units, 1..100000 (default 500)
     * @param visible    {@code bernoulli}, {@code gaussian}, or {@code auto} (the default: Bernoulli for binary data,
     *                   Gaussian for continuous data; discrete data must be binarized or scaled first)
     * @param sigma      the standard deviation of Gaussian visible units, fixed (default 1, as for standardized data;
     *                   Hinton 2010), &gt; 0
     * @param initScale  the couplings start as N(0, initScale^2) (default 0.01), &gt;= 0
     * @param hiddenBias the hidden biases' starting value (default 0; negative values encourage sparse codes)
     */
    public record Config(Integer hidden, String visible, Double sigma, Double initScale, Double hiddenBias) {
        public Config {
            hidden = hidden == null ? 500 : hidden;
            visible = visible == null ? "auto" : visible;
            sigma = sigma == null ? 1.0 : sigma;
            initScale = initScale == null ? 0.01 : initScale;
            hiddenBias = hiddenBias == null ? 0.0 : hiddenBias;
            if (hidden < 1 || hidden > 100_000) {
                throw new IllegalArgumentException("hidden must be in 1..100000, was " + hidden);
            }
            if (!VISIBLE.contains(visible)) {
                throw new IllegalArgumentException("visible must be one of " + VISIBLE + ", was '" + visible + "'");
            }
            if (!(sigma > 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("sigma must be finite and > 0, was " + sigma);
            }
            if (!(initScale >= 0) || Double.isInfinite(initScale)) {
                throw new IllegalArgumentException("initScale must be finite and >= 0, was " + initScale);
            }
            if (!Double.isFinite(hiddenBias)) {
                throw new IllegalArgumentException("hiddenBias must be finite, was " + hiddenBias);
            }
        }

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
        return "Restricted Boltzmann machine (Bernoulli or Gaussian visible units): free energy, block Gibbs, CD training";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(Energy.class, BlockGibbs.class, ContrastiveTrainable.class, Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        boolean gaussian = gaussianVisible(config.visible(), data);
        RbmLayer layer = new RbmLayer(visibleUnits(data), config.hidden(), gaussian, config.sigma());
        layer.initialize(config.initScale(), config.hiddenBias(), rng);
        return new RbmModel(layer, data, settings(config, gaussian));
    }

    static Map<String, Object> settings(Config c, boolean gaussian) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("hidden", c.hidden());
        s.put("visible", gaussian ? "gaussian" : "bernoulli");
        s.put("sigma", c.sigma());
        return s;
    }

    /** Resolves {@code auto} from the data's kind; refuses what an RBM cannot model, saying what to do. */
    static boolean gaussianVisible(String visible, DataInfo data) {
        if (visible.equals("auto")) {
            if (DataInfo.DISCRETE.equals(data.kind())) {
                throw new IllegalArgumentException("an RBM needs binary or continuous data, " + data.name()
                        + " is discrete: binarize it (Bernoulli units) or scale it (Gaussian units), or set visible");
            }
            return DataInfo.CONTINUOUS.equals(data.kind());
        }
        return visible.equals("gaussian");
    }

    static int visibleUnits(DataInfo data) {
        long d = data.dimension();
        if (d < 1 || d > 1_000_000) {
            throw new IllegalArgumentException("an RBM takes 1..1000000 values per example, " + data.name() + " has " + d);
        }
        return (int) d;
    }
}
