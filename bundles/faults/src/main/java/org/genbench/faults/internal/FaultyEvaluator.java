package org.genbench.faults.internal;

import java.util.List;
import java.util.Map;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.osgi.service.component.annotations.Component;

/** Returns one metric, or misbehaves as {@code fault} says: {@code nan} returns it as NaN. */
@Component(service = Evaluator.class)
public final class FaultyEvaluator implements Evaluator<FaultyEvaluator.Config> {
    public record Config(String fault) {
        public Config {
            fault = Fault.check(fault);
        }
    }

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public String description() {
        return "Returns a metric, or misbehaves on request: throw, nan, hang, hang-hard, oom (test plug-in)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.none();
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        if (config.fault().equals("nan")) {
            return List.of(new Metric("score", Double.NaN, "value", Map.of("fault", "nan")));
        }
        Fault.trigger(config.fault(), "evaluator 'faulty'", context);
        return List.of(new Metric("score", 1.0, "value", Map.of("fault", config.fault())));
    }
}
