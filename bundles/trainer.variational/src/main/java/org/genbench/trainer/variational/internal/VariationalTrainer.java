package org.genbench.trainer.variational.internal;

import org.genbench.api.AdamSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Autoencoding;
import org.genbench.api.Checkpoints;
import org.genbench.api.Dataset;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Mini-batch Adam on a model's variational bound (a VAE's negative ELBO), with a linear KL warm-up (Bowman et al.
 * 2016; Sonderby et al. 2016): the KL term's weight rises from 1/warmupSteps to 1 over the first warmupSteps steps.
 *
 * <p>Everything random in step s (the shuffle of its epoch and the model's noise) comes from streams split off the
 * trainer's stream by epoch and by step, and the model checkpoints its Adam moments, so a run resumed from the
 * checkpoint of step s continues with exactly the numbers of an uninterrupted run.
 */
@Component(service = Trainer.class)
public final class VariationalTrainer implements Trainer<VariationalTrainer.Config> {
    public static final String NAME = "variational";
    static final String TRAIN = "train";
    static final String TEST = "test";
    static final String INITIAL = "test_bound_initial";

    /**
     * @param steps              optimizer steps in all (default 5000, at least 1)
     * @param batchSize          examples per step (default 100, at least 1); epochs reshuffle the training split
     * @param learningRate       Adam's step size (default 1e-3)
     * @param beta1              Adam's first-moment decay (default 0.9)
     * @param beta2              Adam's second-moment decay (default 0.999)
     * @param epsilon            Adam's epsilon (default 1e-8)
     * @param warmupSteps        steps over which the KL weight rises linearly to 1 (default 500; 0 turns it off)
     * @param checkpointEvery    checkpoint every this many steps (default 500; 0 only when stopped early), and log
     *                           the test bound there; checkpoints need a Persistent model
     * @param stepsPerInvocation at most this many steps per invocation of the run (default none): then the trainer
     *                           checkpoints and fails the run with a message to resume it, as a preemptible job
     *                           slot would; {@code genbench resume RUN} continues it
     * @param evalExamples       examples of each split on which the bound is measured before and after training
     *                           (default 1000; 0 skips it); the same examples and noise both times
     * @param pictures           write reconstructions and a latent map of image data (default true), for models
     *                           with Autoencoding
     */
    public record Config(Integer steps, Integer batchSize, Double learningRate, Double beta1, Double beta2,
                         Double epsilon, Integer warmupSteps, Integer checkpointEvery, Integer stepsPerInvocation,
                         Integer evalExamples, Boolean pictures) {
        public Config {
            steps = steps == null ? 5000 : steps;
            batchSize = batchSize == null ? 100 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            beta1 = beta1 == null ? 0.9 : beta1;
            beta2 = beta2 == null ? 0.999 : beta2;
            epsilon = epsilon == null ? 1e-8 : epsilon;
            warmupSteps = warmupSteps == null ? 500 : warmupSteps;
            checkpointEvery = checkpointEvery == null ? 500 : checkpointEvery;
            evalExamples = evalExamples == null ? 1000 : evalExamples;
            pictures = pictures == null ? Boolean.TRUE : pictures;
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warmupSteps must be >= 0, was " + warmupSteps);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpointEvery must be >= 0, was " + checkpointEvery);
            }
            if (stepsPerInvocation != null && stepsPerInvocation < 1) {
                throw new IllegalArgumentException("stepsPerInvocation must be >= 1 or absent, was " + stepsPerInvocation);
            }
            if (evalExamples < 0) {
                throw new IllegalArgumentException("evalExamples must be >= 0, was " + evalExamples);
            }
            // The optimizer's own checks, so that a bad value fails when the spec is composed.
            new GradientTrainable.Step(new AdamSettings(learningRate, beta1, beta2, epsilon), 1.0);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mini-batch Adam on the ELBO with KL warm-up; checkpoints and resumes exactly";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(GradientTrainable.class, LogDensityBound.class);
    }

    /**
     * Returns {@code test_bound_initial} and {@code test_bound} (the model's bound on the first evalExamples test
     * examples before and after training, same noise), {@code train_bound} (the same on training examples, after),
     * and {@code steps}.
     */
    @Override
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws IOException {
        GradientTrainable trainable = model.as(GradientTrainable.class).orElseThrow(() -> new IllegalArgumentException(
                "the variational trainer needs a model with " + requires().describe() + "; "
                        + model.getClass().getSimpleName() + " lacks GradientTrainable"));
        LogDensityBound bound = model.as(LogDensityBound.class).orElseThrow(() -> new IllegalArgumentException(
                "the variational trainer needs a model with LogDensityBound"));
        Optional<Persistent> persistent = model.as(Persistent.class);
        Batch train = data.split(TRAIN);
        Batch test = data.splits().contains(TEST) ? data.split(TEST) : null;
        int n = Math.toIntExact(train.size());
        int batchSize = Math.min(config.batchSize(), n);
        int perEpoch = n / batchSize;
        Rng rng = context.rng();
        BufferAllocator allocator = context.allocator();

        long start = 0;
        Map<String, Object> state = new LinkedHashMap<>();
        Optional<Checkpoints.Restored> restored = context.checkpoints().latest();
        if (restored.isPresent()) {
            Persistent p = persistent.orElseThrow(() -> new IllegalStateException("a checkpoint to resume from, but the"
                    + " model is not Persistent"));
            restored.get().restore(p);
            start = restored.get().step();
            state.putAll(restored.get().trainerState());
            if (trainable.stepsTaken() != start) {
                throw new IOException("checkpoint of step " + start + " holds a model that has taken "
                        + trainable.stepsTaken() + " optimizer steps");
            }
        } else if (test != null && config.evalExamples() > 0) {
            double initial = meanBound(bound, test, config.evalExamples(), rng.split("eval"), allocator);
            state.put(INITIAL, initial);
            context.log(0, Map.of("test_bound", initial));
        }

        int[] order = null;
        int orderEpoch = -1;
        long thisInvocation = 0;
        context.progress(start, config.steps());
        for (long step = start; step < config.steps(); step++) {
            if (context.isCancelled()) {
                checkpoint(context, persistent, step, state);
                throw new CancellationException("variational training cancelled at step " + step + " of "
                        + config.steps() + "; resume the run to continue");
            }
            int epoch = Math.toIntExact(step / perEpoch);
            if (epoch != orderEpoch) {
                order = permutation(n, rng.split("shuffle").split(epoch));
                orderEpoch = epoch;
            }
            int offset = (int) (step % perEpoch) * batchSize;
            double weight = config.warmupSteps() == 0 ? 1.0 : Math.min(1.0, (step + 1.0) / config.warmupSteps());
            GradientTrainable.Step settings = new GradientTrainable.Step(new AdamSettings(config.learningRate(), config.beta1(),
                    config.beta2(), config.epsilon()), weight);
            Map<String, Double> out;
            try (Batch batch = gather(train, order, offset, batchSize, allocator)) {
                out = trainable.trainStep(batch, settings, rng.split("step").split(Math.toIntExact(step)));
            }
            Double elbo = out.get("elbo");
            Double loss = out.get("loss");
            if (loss == null || !Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged: the loss is " + loss + " at step " + (step + 1));
            }
            Map<String, Double> line = new LinkedHashMap<>();
            line.put("train_elbo", elbo != null ? elbo : -loss);
            if (out.containsKey("kl")) {
                line.put("train_kl", out.get("kl"));
            }
            context.log(step + 1, line);
            context.progress(step + 1, config.steps());
            thisInvocation++;
            boolean last = step + 1 == config.steps();
            if (!last && config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0) {
                checkpoint(context, persistent, step + 1, state);
                // The held-out curve gets a point per checkpoint; the same examples and noise every time.
                if (test != null && config.evalExamples() > 0) {
                    context.log(step + 1, Map.of("test_bound",
                            meanBound(bound, test, config.evalExamples(), rng.split("eval"), allocator)));
                }
            }
            if (!last && config.stepsPerInvocation() != null && thisInvocation >= config.stepsPerInvocation()) {
                if (config.checkpointEvery() == 0 || (step + 1) % config.checkpointEvery() != 0) {
                    checkpoint(context, persistent, step + 1, state);
                }
                throw new IllegalStateException("stopped after " + thisInvocation + " steps in this invocation "
                        + "(stepsPerInvocation), at step " + (step + 1) + " of " + config.steps()
                        + "; checkpoint saved: resume the run (genbench resume RUN_ID) to continue");
            }
        }

        List<Metric> metrics = new ArrayList<>();
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("bound", bound.boundName());
        protocol.put("examples", "the first " + config.evalExamples() + " of the split");
        protocol.put("noise", "the same stream before and after training");
        if (config.evalExamples() > 0) {
            if (test != null) {
                double after = meanBound(bound, test, config.evalExamples(), rng.split("eval"), allocator);
                context.log(config.steps(), Map.of("test_bound", after));
                Object initial = state.get(INITIAL);
                if (initial instanceof Number v) {
                    metrics.add(new Metric(INITIAL, v.doubleValue(), "bound", withSplit(protocol, TEST, "step 0")));
                }
                metrics.add(new Metric("test_bound", after, "bound", withSplit(protocol, TEST, "after training")));
            }
            double onTrain = meanBound(bound, train, config.evalExamples(), rng.split("eval"), allocator);
            metrics.add(new Metric("train_bound", onTrain, "bound", withSplit(protocol, TRAIN, "after training")));
        }
        metrics.add(Metric.of("steps", config.steps()));
        if (config.pictures()) {
            Optional<Autoencoding> ae = model.as(Autoencoding.class);
            if (ae.isPresent() && test != null && data.info().sampleShape().length >= 2) {
                Pictures.write(ae.get(), test, data.info(), Math.max(500, config.evalExamples()),
                        context.outputDirectory(), allocator);
            }
        }
        return List.copyOf(metrics);
    }

    private static Map<String, Object> withSplit(Map<String, Object> protocol, String split, String when) {
        Map<String, Object> p = new LinkedHashMap<>(protocol);
        p.put("split", split);
        p.put("measured", when);
        return p;
    }

    private static void checkpoint(RunContext context, Optional<Persistent> model, long step, Map<String, Object> state)
            throws IOException {
        if (model.isPresent()) {
            context.checkpoints().save(step, model.get(), state);
        }
    }

    /** The mean bound over the first {@code max} rows of a split. */
    static double meanBound(LogDensityBound bound, Batch split, int max, Rng rng, BufferAllocator allocator) {
        long n = Math.min(max, split.size());
        try (Tensor x = split.x().slice(0, n); Tensor values = bound.logDensityBound(x, rng)) {
            double s = 0;
            for (long i = 0; i < n; i++) {
                s += values.getDouble(i);
            }
            return s / n;
        }
    }

    /** Fisher-Yates from {@code rng}. */
    static int[] permutation(int n, Rng rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Rows {@code order[offset .. offset + size)} of every tensor of the batch, copied into a new batch. */
    static Batch gather(Batch source, int[] order, int offset, int size, BufferAllocator allocator) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : source.tensors().entrySet()) {
                Tensor t = e.getValue();
                long[] shape = t.shape();
                shape[0] = size;
                Tensor g = Tensor.allocate(allocator, t.dtype(), shape);
                out.put(e.getKey(), g);
                long rowBytes = t.rowSize() * t.dtype().bytes();
                ArrowBuf from = t.buffer();
                ArrowBuf to = g.buffer();
                for (int i = 0; i < size; i++) {
                    to.setBytes(i * rowBytes, from, order[offset + i] * rowBytes, rowBytes);
                }
            }
            return new Batch(out);
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }
}
