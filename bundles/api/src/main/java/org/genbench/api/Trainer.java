package org.genbench.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Fits a model to the training split. */
@ConsumerType
public interface Trainer<C extends Record> extends Component<C> {
    Requirement requires();

    /** Trains in place; logs step metrics through the context and returns the final training metrics. */
    java.util.List<Metric> train(Model model, Dataset data, C config, RunContext context) throws Exception;
}
