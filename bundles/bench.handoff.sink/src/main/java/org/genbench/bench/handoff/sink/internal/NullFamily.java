package org.genbench.bench.handoff.sink.internal;

import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/** A model that does nothing, so that a hand-off run spends nothing on a model (the hand-off benchmark). */
@Component(service = ModelFamily.class)
public final class NullFamily implements ModelFamily<NullFamily.Config> {
    /** No settings. */
    public record Config() {
    }

    @Override
    public String name() {
        return "handoff-null";
    }

    @Override
    public String description() {
        return "Benchmark: a model with no parameters and no capabilities (the hand-off benchmark)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of();
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new Model() {
            @Override
            public DataInfo data() {
                return data;
            }

            @Override
            public long parameterCount() {
                return 0;
            }
        };
    }
}
