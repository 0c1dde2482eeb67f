package org.genbench.eval.compression.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.coding.Baselines;
import org.genbench.coding.Codec;
import org.genbench.coding.CompressedFile;
import org.osgi.service.component.annotations.Component;

/**
 * Bits per dimension as a file size anyone can check: held-out examples are entropy-coded with the model's own
 * conditionals (rANS, {@link Codec}) into {@code outputs/<id>/<split>.gbz}, decoded again and compared value for value.
 * Reported beside the model's -log2 p of the same examples (the stream should be within a fraction of a percent of
 * it), gzip and PNG of the same values, and the raw bits (log2 of the levels).
 */
@Component(service = Evaluator.class)
public final class CompressionEvaluator implements Evaluator<CompressionEvaluator.Config> {
    /**
     * @param examples at most this many of the split's first examples, 1..1000000 (default 1000)
     * @param split    the split to compress (default {@code test})
     * @param batch    examples per model call, 1..4096 (default: as many as keep one call's conditionals near 32 MB)
     */
    public record Config(Integer examples, String split, Integer batch) {
        public Config {
            examples = examples == null ? 1000 : examples;
            if (examples < 1 || examples > 1_000_000) {
                throw new IllegalArgumentException("examples must be in 1..1000000, was " + examples);
            }
            split = split == null ? "test" : split;
            if (batch != null && (batch < 1 || batch > 4096)) {
                throw new IllegalArgumentException("batch must be in 1..4096, was " + batch);
            }
        }
    }

    @Override
    public String name() {
        return "compression";
    }

    @Override
    public String description() {
        return "Compression: held-out data entropy-coded with the model (rANS) vs -log2 p, gzip and PNG; bit-exact"
                + " round trip";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(DiscreteConditionals.class);
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        DiscreteConditionals coder = model.as(DiscreteConditionals.class).orElseThrow(() ->
                new IllegalArgumentException("compression needs a model with DiscreteConditionals"));
        DataInfo info = data.info();
        Tensor all = data.split(config.split()).x();
        int n = (int) Math.min(config.examples(), all.rows());
        long dims = info.dimension();
        int levels = coder.levels();
        int batch = config.batch() != null ? config.batch() : Codec.defaultBatch(dims, levels);
        long[] shape = info.sampleShape();
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("split", config.split());
        protocol.put("examples", n);
        protocol.put("dimensions", dims);
        protocol.put("levels", levels);
        protocol.put("batch", batch);
        protocol.put("coder", "rANS, 64-bit state, 32-bit words, 24-bit frequencies from the model's conditionals");
        List<Metric> metrics = new ArrayList<>();
        try (Tensor x = all.slice(0, n)) {
            int[] symbols = Codec.symbols(x, levels);
            context.progress(0, 3);
            long t0 = System.nanoTime();
            Codec.Encoded enc = Codec.encode(coder, x, batch);
            double encodeSeconds = (System.nanoTime() - t0) / 1e9;
            context.progress(1, 3);
            Path file;
            long fileBytes;
            long headerBytes;
            try {
                file = context.outputDirectory().resolve(config.split() + ".gbz");
                Map<String, Object> model2 = new LinkedHashMap<>();
                model2.put("dataset", info.name());
                model2.put("dataset_sha256", info.checksum());
                fileBytes = CompressedFile.write(file, CompressedFile.header(enc, shape, levels, batch, model2),
                        enc.stream());
                headerBytes = CompressedFile.read(file).headerBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the compressed file: " + e.getMessage(), e);
            }
            long t1 = System.nanoTime();
            boolean same;
            String error = null;
            try (Tensor back = Codec.decode(coder, CompressedFile.read(file).stream(), n, shape, batch,
                    context.allocator())) {
                same = Arrays.equals(symbols, Codec.symbols(back, levels));
            } catch (IOException | RuntimeException e) {
                same = false;
                error = e.getMessage();
            }
            double decodeSeconds = (System.nanoTime() - t1) / 1e9;
            context.progress(2, 3);
            double values = (double) n * dims;
            protocol.put("file", file.getFileName().toString());
            protocol.put("file_bytes", fileBytes);
            protocol.put("header_bytes", headerBytes);
            protocol.put("stream_bytes", enc.stream().length);
            protocol.put("model_bits", enc.modelBits());
            if (error != null) {
                protocol.put("round_trip_error", error);
            }
            metrics.add(new Metric("model_bits_per_dim", enc.modelBits() / values, "exact", protocol));
            metrics.add(new Metric("coded_bits_per_dim", enc.bits() / values, "coded", protocol));
            metrics.add(new Metric("file_bits_per_dim", 8.0 * fileBytes / values, "coded", protocol));
            metrics.add(new Metric("overhead_percent", 100 * (enc.bits() - enc.modelBits()) / enc.modelBits(), "coded",
                    protocol));
            metrics.add(new Metric("round_trip", same ? 1 : 0, "coded", protocol));
            metrics.add(new Metric("encode_seconds", encodeSeconds, "time", protocol));
            metrics.add(new Metric("decode_seconds", decodeSeconds, "time", protocol));
            metrics.add(new Metric("raw_bits_per_dim", Math.log(levels) / Math.log(2), "baseline", protocol));
            if (levels <= 256) {
                Map<String, Object> gz = new LinkedHashMap<>(protocol);
                gz.put("baseline", "gzip -9 of the values packed " + (levels == 2 ? "8 to a byte" : "one to a byte"));
                metrics.add(new Metric("gzip_bits_per_dim", 8.0 * Baselines.gzipBytes(symbols, levels) / values,
                        "baseline", gz));
                if (shape.length >= 2 && shape[shape.length - 1] * shape[shape.length - 2] == dims) {
                    int h = (int) shape[shape.length - 2];
                    int w = (int) shape[shape.length - 1];
                    Map<String, Object> png = new LinkedHashMap<>(protocol);
                    png.put("baseline", "PNG (ImageIO) of all images stacked into one strip, bit depth "
                            + (levels == 2 ? 1 : 8));
                    metrics.add(new Metric("png_bits_per_dim", 8.0 * Baselines.pngBytes(symbols, levels, n, h, w) / values,
                            "baseline", png));
                }
            }
            context.progress(3, 3);
        }
        return metrics;
    }
}
