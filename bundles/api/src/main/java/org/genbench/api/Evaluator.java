package org.genbench.api;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/** Scores a trained model and its samples against held-out data. */
@ConsumerType
public interface Evaluator<C extends Record> extends Component<C> {
    Requirement requires();

    /** {@code samples} maps each sampler's name to what it drew. */
    List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, C config, RunContext context);
}
