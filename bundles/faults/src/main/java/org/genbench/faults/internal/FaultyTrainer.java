package org.genbench.faults.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.Checkpoints;
import org.genbench.api.Dataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.osgi.service.component.annotations.Component;

/**
 * Takes {@code steps} steps, each nudging a {@link FixedGaussian} and logging a loss, saving a checkpoint every
 * {@code checkpointEvery} steps (before it logs the step, so a divergence finds a checkpoint it must not trust),
 * and misbehaves as {@code fault} says at step {@code at}: {@code nan} logs a NaN loss.
 */
@Component(service = Trainer.class)
public final class FaultyTrainer implements Trainer<FaultyTrainer.Config> {
    public record Config(Integer steps, String fault, Integer at, Integer checkpointEvery, Integer stepMillis) {
        public Config {
            steps = steps == null ? 20 : steps;
            fault = Fault.check(fault);
            at = at == null ? Math.min(10, steps) : at;
            checkpointEvery = checkpointEvery == null ? 5 : checkpointEvery;
            stepMillis = stepMillis == null ? 0 : stepMillis;
            if (steps < 1 || steps > 1_000_000) {
                throw new IllegalArgumentException("steps must be in 1..1000000, was " + steps);
            }
            if (at < 1 || at > steps) {
                throw new IllegalArgumentException("at must be in 1..steps (" + steps + "), was " + at);
            }
            if (checkpointEvery < 0 || checkpointEvery > 1_000_000) {
                throw new IllegalArgumentException("checkpointEvery must be in 0..1000000, was " + checkpointEvery);
            }
            if (stepMillis < 0 || stepMillis > 10_000) {
                throw new IllegalArgumentException("stepMillis must be in 0..10000, was " + stepMillis);
            }
        }
    }

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public String description() {
        return "Takes steps and misbehaves on request: throw, nan, hang, hang-hard, oom (test plug-in)";
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
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws Exception {
        Optional<Persistent> persistent = model.as(Persistent.class);
        long start = 0;
        Optional<Checkpoints.Restored> restored = persistent.isPresent() ? context.checkpoints().latest() : Optional.empty();
        if (restored.isPresent()) {
            restored.get().restore(persistent.get());
            start = restored.get().step();
        }
        double loss = 0;
        for (long step = start + 1; step <= config.steps(); step++) {
            Fault.sleep(config.stepMillis());
            if (model instanceof FixedGaussian g) {
                g.nudge(0.001);
            }
            loss = 1.0 / step;
            if (step == config.at()) {
                if (config.fault().equals("nan")) {
                    loss = Double.NaN;
                } else {
                    Fault.trigger(config.fault(), "trainer 'faulty'", context);
                }
            }
            if (persistent.isPresent() && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                context.checkpoints().save(step, persistent.get(), Map.of("loss", Double.isFinite(loss) ? loss : -1.0));
            }
            context.log(step, Map.of("loss", loss));
            context.progress(step, config.steps());
        }
        return List.of(Metric.of("final_loss", loss));
    }
}
