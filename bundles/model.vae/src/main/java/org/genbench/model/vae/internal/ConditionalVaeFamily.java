package org.genbench.model.vae.internal;

import java.util.Set;
import org.genbench.api.Autoencoding;
import org.genbench.api.Capability;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * The class-conditional VAE (Sohn et al. 2015): the label, one-hot, is appended to the encoder's input and to the
 * decoder's z. A separate family, not a setting of {@code vae}, because a family's capabilities are fixed up front
 * and only this one is {@link Conditional}.
 */
@Component(service = ModelFamily.class)
public final class ConditionalVaeFamily implements ModelFamily<VaeFamily.Config> {
    public static final String NAME = "cvae";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Class-conditional VAE (label one-hot into encoder and decoder); bound on log p(x) over a uniform p(c)";
    }

    @Override
    public Class<VaeFamily.Config> configType() {
        return VaeFamily.Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(DirectSampling.class, LogDensityBound.class, Autoencoding.class, GradientTrainable.class,
                Persistent.class, Conditional.class);
    }

    @Override
    public Model create(VaeFamily.Config config, DataInfo data, Rng rng) {
        if (data.numClasses() < 2) {
            throw new IllegalArgumentException("cvae needs labelled data with at least 2 classes; dataset '"
                    + data.name() + "' has " + data.numClasses());
        }
        return new ConditionalVaeModel(VaeModel.Settings.of(config), data, rng);
    }
}
