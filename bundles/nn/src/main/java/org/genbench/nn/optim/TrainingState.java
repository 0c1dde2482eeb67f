package org.genbench.nn.optim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.genbench.api.AdamSettings;
import org.genbench.api.GradientTrainable;
import org.genbench.nn.Module;
import org.genbench.nn.io.Checkpoint;

/**
 * What a {@link GradientTrainable} model keeps to train a module and to resume exactly: the optimizer (Adam, or
 * AdamW when the trainer asks for weight decay) made on the first step from the trainer's settings, gradient clipping,
 * and one checkpoint file holding the module, the optimizer's moments and step count, and the model's own metadata
 * (its configuration). Families share this instead of each writing an optimizer loop and a checkpoint format.
 */
public final class TrainingState {
    /** The checkpoint file inside a model's checkpoint directory. */
    public static final String FILE = "model.safetensors";

    private final Module module;
    private final Ema ema;
    private Adam adam;

    public TrainingState(Module module) {
        this(module, null);
    }

    /**
     * With an exponential moving average of the module's weights, which the family updates after each step and
     * samples from; it is saved and loaded with the rest (key {@code model.ema}).
     */
    public TrainingState(Module module, Ema ema) {
        this.module = module;
        this.ema = ema;
    }

    /**
     * Clips (when asked) and applies the gradients the last backward pass left in the module's parameters, with the
     * step's learning rate. Returns the gradient norm before clipping (NaN when clipping is off).
     */
    public double apply(GradientTrainable.Step step) {
        ensureOptimizer(step);
        double norm = Double.NaN;
        if (step.clipNorm() > 0) {
            norm = GradClip.clipNorm(module.parameters().values(), step.clipNorm());
        }
        adam.step(step.adam().learningRate());
        return norm;
    }

    private void ensureOptimizer(GradientTrainable.Step step) {
        AdamSettings s = step.adam();
        if (adam == null) {
            adam = new Adam(module.parameters(), s, step.weightDecay(), true);
            return;
        }
        AdamSettings had = adam.settings();
        if (had.beta1() != s.beta1() || had.beta2() != s.beta2() || had.epsilon() != s.epsilon()) {
            throw new IllegalArgumentException("Adam's betas and epsilon cannot change during training (were "
                    + had.beta1() + ", " + had.beta2() + ", " + had.epsilon() + "; now " + s.beta1() + ", " + s.beta2()
                    + ", " + s.epsilon() + ")");
        }
    }

    /** Optimizer steps taken. */
    public long steps() {
        return adam == null ? 0 : adam.steps();
    }

    /**
     * Writes {@code directory/model.safetensors}: the module (key {@code model}), the optimizer's state when one
     * exists, and {@code metadata} (e.g. the family's configuration as JSON, under keys the family reads back).
     */
    public void save(Path directory, Map<String, String> metadata) throws IOException {
        Checkpoint ck = Checkpoint.create().module("model", module);
        if (adam != null) {
            AdamSettings s = adam.settings();
            ck.optimizer("model", adam).meta("adam.beta1", Double.toString(s.beta1()))
                    .meta("adam.beta2", Double.toString(s.beta2())).meta("adam.epsilon", Double.toString(s.epsilon()))
                    .meta("adam.weightDecay", Double.toString(adam.weightDecay()));
        }
        if (ema != null) {
            ck.ema("model", ema);
        }
        metadata.forEach(ck::meta);
        ck.write(directory.resolve(FILE));
    }

    /**
     * A family's checkpoint load: fails naming the family when {@code directory} holds no {@link #FILE}, and naming
     * the first key when the saved metadata differs from {@code identity} (another family, configuration or data
     * shape), before anything is read into the module; then {@link #load(Path)}, whose misfits become IOExceptions.
     */
    public Checkpoint load(Path directory, String family, Map<String, String> identity) throws IOException {
        if (!Files.isRegularFile(directory.resolve(FILE))) {
            throw new IOException("incomplete " + family + " checkpoint in " + directory + ": no " + FILE);
        }
        Checkpoint saved = Checkpoint.read(directory.resolve(FILE));
        for (Map.Entry<String, String> e : identity.entrySet()) {
            String value = saved.metadata().get(e.getKey());
            if (!e.getValue().equals(value)) {
                throw new IOException("the checkpoint in " + directory + " is of another model: " + e.getKey() + " is "
                        + value + ", this model's is " + e.getValue());
            }
        }
        try {
            return load(directory);
        } catch (IllegalArgumentException e) {
            throw new IOException("the checkpoint in " + directory + " does not fit: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code directory/model.safetensors} into the module and, when saved, the optimizer; returns the
     * checkpoint so the family can check its metadata. Fails naming what is missing or misshapen.
     */
    public Checkpoint load(Path directory) throws IOException {
        Checkpoint ck = Checkpoint.read(directory.resolve(FILE));
        module.load(ck.under("model"));
        if (ema != null) {
            if (ck.under("model.ema").isEmpty()) {
                throw new IllegalArgumentException("the checkpoint " + directory.resolve(FILE)
                        + " holds no EMA of the weights (model.ema), which this model samples from");
            }
            ck.loadEma("model", ema);
        }
        if (ck.metadata().containsKey("model.optimizer.steps")) {
            AdamSettings s = new AdamSettings(1e-3, Double.parseDouble(ck.meta("adam.beta1")),
                    Double.parseDouble(ck.meta("adam.beta2")), Double.parseDouble(ck.meta("adam.epsilon")));
            adam = new Adam(module.parameters(), s, Double.parseDouble(ck.meta("adam.weightDecay")), true);
            ck.loadOptimizer("model", adam);
        } else {
            adam = null;
        }
        return ck;
    }
}
