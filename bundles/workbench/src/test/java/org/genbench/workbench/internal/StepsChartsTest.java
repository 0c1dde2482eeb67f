package org.genbench.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Metric;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.workbench.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's score-against-steps charts: drawn from per-sampler evaluator metrics and the samplers' step counts. */
class StepsChartsTest {
    static SampleResult result(BufferAllocator a, Double steps, String series) {
        List<Metric> diagnostics = steps == null ? List.of()
                : List.of(new Metric(SampleResult.STEPS, steps, "count", Map.of(SampleResult.SERIES, series)));
        return new SampleResult(Tensor.allocate(a, DType.FLOAT32, 2, 2), 1, diagnostics);
    }

    static RunResult.RunMetric metric(String role, String component, String name, double v) {
        return new RunResult.RunMetric(role, component, new Metric(name, v, "fid", Map.of()));
    }

    @Test
    void drawsEachPerSamplerScoreAgainstTheSamplersSteps(@TempDir Path dir) throws Exception {
        try (BufferAllocator a = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build())) {
            Map<String, SampleResult> samples = new LinkedHashMap<>();
            samples.put("ddim-10", result(a, 10.0, "ddim eta=0"));
            samples.put("ddim-50", result(a, 50.0, "ddim eta=0"));
            samples.put("ddpm", result(a, 1000.0, "ddpm small"));
            samples.put("ancestral", result(a, null, null));
            List<RunResult.RunMetric> finals = List.of(
                    metric("evaluator", "fid", "ddim-10/fid", 40),
                    metric("evaluator", "fid", "ddim-50/fid", 25),
                    metric("evaluator", "fid", "ddpm/fid", 20),
                    metric("evaluator", "fid", "ancestral/fid", 30),
                    metric("evaluator", "energy-distance", "ddpm/energy_distance", 0.1),
                    metric("evaluator", "fid", "floor/fid", 3),
                    metric("sampler", "ddpm", "ddpm/x", 1));
            Runner.stepsCharts(dir, "toy", finals, samples);
            assertTrue(Files.size(dir.resolve("fid-vs-steps.png")) > 1000);
            // one sampler with steps is no chart
            assertFalse(Files.exists(dir.resolve("energy_distance-vs-steps.png")));
            assertFalse(Files.exists(dir.resolve("x-vs-steps.png")));
            samples.values().forEach(SampleResult::close);
        }
    }
}
