package org.genbench.bench.handoff.sink.internal;

import java.util.List;
import java.util.Map;
import org.genbench.api.Dataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osgi.service.component.annotations.Component;

/**
 * The consumer of the hand-off benchmark: takes the training split the workbench hands it (produced by another
 * bundle's dataset), views it as an ND4J array through the tensor library, and reads the producer's stamp at its
 * start and the stamp's complement at its far end through that view. {@code handoff_us} is the time from the
 * producer's stamp to this read: everything the workbench does in between (provenance, the model, the trainer's
 * call) plus the hand-off itself, end to end. For scale, {@code copy_us} is what copying the same bytes once
 * ({@code dup()}) costs; a hand-off that copied would take at least that.
 */
@Component(service = Trainer.class)
public final class HandoffSink implements Trainer<HandoffSink.Config> {
    /** No settings. */
    public record Config() {
    }

    @Override
    public String name() {
        return "handoff-sink";
    }

    @Override
    public String description() {
        return "Benchmark: views the handed-off tensor in ND4J and times the hand-off (the hand-off benchmark's consumer)";
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
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) {
        Tensor x = data.split("train").x();
        INDArray view = Nd4jArrow.view(x);
        long n = view.length();
        long stamp = bits(view, 0);
        long end = bits(view, n - 2);
        long received = System.nanoTime();
        if (end != ~stamp) {
            throw new IllegalStateException("the consumer's view does not hold the producer's bytes: stamp " + stamp
                    + ", far end " + end);
        }
        long t0 = System.nanoTime();
        INDArray copy = view.dup();
        double copyUs = (System.nanoTime() - t0) / 1e3;
        if (bits(copy, n - 2) != end) {
            throw new IllegalStateException("the copy differs from the original");
        }
        copy.close();
        Map<String, Object> protocol = Map.of("bytes", x.size() * 4, "producer", data.info().name(),
                "window", "producer's stamp after writing the tensor -> consumer's read of both ends through its ND4J view");
        return List.of(new Metric("handoff_us", (received - stamp) / 1e3, "timing", protocol),
                new Metric("copy_us", copyUs, "timing", protocol),
                new Metric("bytes", x.size() * 4.0, "value", Map.of()));
    }

    /** The long the producer wrote at float elements i, i + 1 (little-endian), read through the ND4J view. */
    private static long bits(INDArray floats, long i) {
        long lo = Float.floatToRawIntBits(floats.getFloat(i)) & 0xffffffffL;
        long hi = Float.floatToRawIntBits(floats.getFloat(i + 1)) & 0xffffffffL;
        return lo | (hi << 32);
    }
}
