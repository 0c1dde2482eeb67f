package org.genbench.faults.internal;

import java.util.List;
import java.util.Map;
import org.genbench.api.DirectSampling;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Works for {@code steps} steps of {@code stepMillis} each (logging every step), then draws {@code samples} from the
 * model; misbehaves as {@code fault} says at step {@code at}: {@code nan} puts a NaN into the samples.
 */
@Component(service = Sampler.class)
public final class FaultySampler implements Sampler<FaultySampler.Config> {
    public record Config(Integer samples, Integer steps, Integer stepMillis, String fault, Integer at) {
        public Config {
            samples = samples == null ? 100 : samples;
            steps = steps == null ? 10 : steps;
            stepMillis = stepMillis == null ? 0 : stepMillis;
            fault = Fault.check(fault);
            at = at == null ? 1 : at;
            if (samples < 1 || samples > 100_000_000) {
                throw new IllegalArgumentException("samples must be in 1..100000000, was " + samples);
            }
            if (steps < 1 || steps > 1_000_000) {
                throw new IllegalArgumentException("steps must be in 1..1000000, was " + steps);
            }
            if (stepMillis < 0 || stepMillis > 10_000) {
                throw new IllegalArgumentException("stepMillis must be in 0..10000, was " + stepMillis);
            }
            if (at < 1 || at > steps) {
                throw new IllegalArgumentException("at must be in 1..steps (" + steps + "), was " + at);
            }
        }
    }

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public String description() {
        return "Draws after some slow steps and misbehaves on request: throw, nan, hang, hang-hard, oom (test plug-in)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(DirectSampling.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        for (int step = 1; step <= config.steps(); step++) {
            Fault.sleep(config.stepMillis());
            if (step == config.at() && !config.fault().equals("nan")) {
                Fault.trigger(config.fault(), "sampler 'faulty'", context);
            }
            context.log(step, Map.of("work", (double) step));
            context.progress(step, config.steps());
        }
        Tensor x = model.as(DirectSampling.class).orElseThrow().sample(config.samples(), context.rng(), context.allocator());
        if (config.fault().equals("nan")) {
            x.setDouble(x.size() / 2, Double.NaN);
        }
        return new SampleResult(x, 1, List.of(Metric.of("samples", config.samples())));
    }
}
