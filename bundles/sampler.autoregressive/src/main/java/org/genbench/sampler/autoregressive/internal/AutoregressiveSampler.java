package org.genbench.sampler.autoregressive.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.ArrowBuf;
import org.genbench.api.Autoregressive;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Draws from an {@link Autoregressive} model one position at a time (pixel by pixel), {@code batchSize} samples
 * together, reporting progress per position and stopping between positions when the run is cancelled. Batch b draws
 * from the stream {@code split("batch").split(b)}, so the samples do not depend on how many batches come before it
 * beyond their count.
 */
@Component(service = Sampler.class)
public final class AutoregressiveSampler implements Sampler<AutoregressiveSampler.Config> {
    public static final String NAME = "autoregressive";

    /**
     * @param samples   samples in all, 1..10^7 (default 100)
     * @param batchSize samples drawn together, 1..100000 (default 100)
     */
    public record Config(Integer samples, Integer batchSize) {
        public Config {
            samples = samples == null ? 100 : samples;
            batchSize = batchSize == null ? 100 : batchSize;
            if (samples < 1 || samples > 10_000_000) {
                throw new IllegalArgumentException("samples must be in 1..10000000, was " + samples);
            }
            if (batchSize < 1 || batchSize > 100_000) {
                throw new IllegalArgumentException("batchSize must be in 1..100000, was " + batchSize);
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Position-by-position sampling of autoregressive models (MADE, PixelCNN), batched over samples";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(Autoregressive.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        Autoregressive ar = model.as(Autoregressive.class).orElseThrow(() -> new IllegalArgumentException(
                "autoregressive sampling needs a model with Autoregressive, got " + model.getClass().getName()));
        int n = config.samples();
        int positions = ar.positions();
        long total = (long) n * positions;
        long[] shape = null;
        List<Tensor> parts = new ArrayList<>();
        long start = System.nanoTime();
        try {
            int batches = (n + config.batchSize() - 1) / config.batchSize();
            for (int b = 0; b < batches; b++) {
                int size = Math.min(config.batchSize(), n - b * config.batchSize());
                Rng rng = context.rng().split("batch").split(b);
                try (Autoregressive.Generation g = ar.generate(size, rng)) {
                    for (int p = 0; p < positions; p++) {
                        if (context.isCancelled()) {
                            throw new CancellationException("autoregressive sampling cancelled at position " + p + " of "
                                    + positions + " in batch " + (b + 1) + " of " + batches);
                        }
                        g.next(rng);
                        context.progress((long) b * config.batchSize() * positions + (long) size * (p + 1), total);
                    }
                    Tensor t = g.samples(context.allocator());
                    parts.add(t);
                    if (t.rows() != size) {
                        throw new IllegalStateException("the model returned " + t.rows() + " samples for " + size);
                    }
                    shape = t.shape();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            shape[0] = n;
            Tensor all = concat(parts, shape, context);
            Map<String, Object> protocol = new LinkedHashMap<>();
            protocol.put("samples", n);
            protocol.put("batchSize", config.batchSize());
            protocol.put("positions", positions);
            List<Metric> diagnostics = List.of(
                    new Metric("samples", n, "count", protocol),
                    new Metric("samples_per_second", n / seconds, "timing", protocol),
                    new Metric("positions_per_second", (double) total / seconds, "timing", protocol));
            return new SampleResult(all, 1, diagnostics);
        } finally {
            parts.forEach(Tensor::close);
        }
    }

    private static Tensor concat(List<Tensor> parts, long[] shape, RunContext context) {
        Tensor out = Tensor.allocate(context.allocator(), parts.get(0).dtype(), shape);
        ArrowBuf to = out.buffer();
        long at = 0;
        for (Tensor t : parts) {
            long bytes = t.size() * t.dtype().bytes();
            to.setBytes(at, t.buffer(), 0, bytes);
            at += bytes;
        }
        return out;
    }
}
