package org.genbench.testing.flaky.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Fails the first run that evaluates it, in the middle of that run (after training and sampling have written their
 * files), and succeeds in every later one: the first to create {@code marker} fails. Reports the number of samples
 * each sampler drew, so a run that passes has a metric of its own.
 */
@Component(service = Evaluator.class)
public final class FailOnce implements Evaluator<FailOnce.Config> {

    /** @param marker an absolute path; the run that creates this file fails */
    public record Config(String marker) {
        public Config {
            if (marker == null || marker.isBlank() || !Path.of(marker).isAbsolute()) {
                throw new IllegalArgumentException("marker must be an absolute file path, was " + marker);
            }
        }
    }

    @Override
    public String name() {
        return "fail-once";
    }

    @Override
    public String description() {
        return "Testing only: fails the first run that evaluates it (the one that creates marker), passes later ones";
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
        try {
            Files.createFile(Path.of(config.marker()));
        } catch (FileAlreadyExistsException e) {
            return List.of(Metric.of("samplers", samples.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("fail-once: failing this run on purpose (marker " + config.marker() + ")");
    }
}
