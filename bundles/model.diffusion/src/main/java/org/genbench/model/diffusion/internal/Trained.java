package org.genbench.model.diffusion.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.genbench.api.GradientTrainable;
import org.genbench.nn.Graph;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.io.Checkpoint;
import org.genbench.nn.optim.Ema;
import org.genbench.nn.optim.TrainingState;

/**
 * What both families keep to train and to sample: the trained network, its optimizer and moving average (nn's
 * {@link TrainingState} and {@link Ema}, in one checkpoint with the family's configuration), and a second network
 * holding the averaged weights that samplers call, refreshed lazily after training steps.
 */
final class Trained {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Network net;
    final Network sampling;
    private final Ema ema;
    private final double emaDecay;
    private final TrainingState state;
    private final String family;
    private final String configJson;
    private boolean stale = true;

    Trained(String family, Record config, Network net, Network sampling, double emaDecay) {
        this.family = family;
        this.net = net;
        this.sampling = sampling;
        this.emaDecay = emaDecay;
        this.ema = emaDecay > 0 ? new Ema(net.module(), emaDecay) : null;
        this.state = new TrainingState(net.module(), ema);
        sampling.module().train(false);
        try {
            this.configJson = JSON.writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the configuration as JSON", e);
        }
    }

    /**
     * One training step of either family: records the loss the supplier builds, backpropagates it and applies the
     * gradients; a non-finite loss is refused before anything changes, naming the family and the step.
     */
    Map<String, Double> trainOn(Supplier<NdArray> loss, GradientTrainable.Step step) {
        net.module().train(true);
        double value;
        try (Graph g = Graph.record()) {
            NdArray l = loss.get();
            value = l.item();
            l.backward();
        }
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("the " + family + " loss is " + value + " at step " + (steps() + 1));
        }
        step(step);
        return Map.of("loss", value);
    }

    /** Applies the gradients the last backward pass left, then updates the average (decay warmed up). */
    void step(GradientTrainable.Step step) {
        state.apply(step);
        if (ema != null) {
            long n = state.steps();
            ema.update(Math.min(emaDecay, (1.0 + n) / (10.0 + n)));
        }
        stale = true;
    }

    long steps() {
        return state.steps();
    }

    /** The network samplers use, holding the averaged weights (or the trained ones without an average). */
    Network forSampling() {
        if (stale) {
            Map<String, NdArray> params = net.module().parameters();
            Map<String, NdArray> target = sampling.module().parameters();
            for (Map.Entry<String, NdArray> e : target.entrySet()) {
                e.getValue().assign(ema != null ? ema.state().get(e.getKey()) : params.get(e.getKey()));
            }
            Map<String, NdArray> buffers = net.module().buffers();
            sampling.module().buffers().forEach((k, v) -> v.assign(buffers.get(k)));
            stale = false;
        }
        return sampling;
    }

    void save(Path directory, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put("family", family);
        meta.put("config", configJson);
        state.save(directory, meta);
    }

    /** Loads weights, moments and average; refuses a checkpoint of another family or configuration, naming both. */
    void load(Path directory) throws IOException {
        Checkpoint ck;
        try {
            ck = state.load(directory);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot load " + family + " checkpoint " + directory + ": " + e.getMessage(), e);
        }
        String fam = ck.metadata().get("family");
        if (!family.equals(fam)) {
            throw new IOException("checkpoint " + directory + " holds a '" + fam + "' model, not " + family);
        }
        JsonNode saved = JSON.readTree(ck.meta("config"));
        JsonNode mine = JSON.readTree(configJson);
        if (!saved.equals(mine)) {
            throw new IOException("checkpoint " + directory + " was saved with configuration " + saved
                    + ", this model has " + mine);
        }
        stale = true;
    }

    long parameterCount() {
        return net.module().parameterCount();
    }

    Module module() {
        return net.module();
    }
}
