package org.genbench.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Draws samples from a model; never knows how the model was trained. */
@ConsumerType
public interface Sampler<C extends Record> extends Component<C> {
    Requirement requires();

    SampleResult sample(Model model, C config, RunContext context);
}
