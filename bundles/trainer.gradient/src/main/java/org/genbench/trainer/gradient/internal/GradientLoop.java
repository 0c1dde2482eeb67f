package org.genbench.trainer.gradient.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.Autoencoding;
import org.genbench.api.Checkpoints;
import org.genbench.api.Dataset;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensity;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.optim.Schedule;

/**
 * The loop both gradient trainers run: epochs of shuffled mini-batches, one {@link GradientTrainable#trainStep} per
 * batch with this step's learning rate (from the schedule) and regularizer weight (a linear warm-up, the KL
 * annealing of VAEs), checkpoints, a held-out curve, and exact resume.
 *
 * <p>Everything random in step s (the shuffle of its epoch and the model's noise) comes from streams split off the
 * trainer's stream by epoch and by step, and the model checkpoints its optimizer state, so a run resumed from the
 * checkpoint of step s continues with exactly the numbers of an uninterrupted run.
 */
final class GradientLoop {
    static final String TRAIN = "train";
    static final String TEST = "test";

    /** What one run of the loop needs, whichever component's settings it came from. */
    record Settings(String component, int steps, int batchSize, AdamSettings adam, double weightDecay, double clipNorm,
                    Schedule schedule, int regularizerWarmup, int checkpointEvery, Integer stepsPerInvocation,
                    int evalExamples, boolean pictures) {
    }

    /** How the model is scored on held-out data, by what it can do: exact log-likelihood, or its bound. */
    private record Score(String name, String kind, Scorer scorer) {
    }

    @FunctionalInterface
    private interface Scorer {
        Tensor score(Tensor x, Rng rng);
    }

    private GradientLoop() {
    }

    private static Optional<Score> scoreOf(Model model) {
        Optional<LogDensity> exact = model.as(LogDensity.class);
        if (exact.isPresent()) {
            return Optional.of(new Score("loglik", "exact", (x, rng) -> exact.get().logDensity(x)));
        }
        return model.as(LogDensityBound.class).map(b -> new Score("bound", "bound", b::logDensityBound));
    }

    /**
     * Trains and returns the final metrics: {@code test_<score>_initial} and {@code test_<score>} (score: the exact
     * log-likelihood, or else the bound, on the first evalExamples test examples, before and after training, same
     * noise), {@code train_<score>} after, the last training loss, and {@code steps}.
     */
    static List<Metric> run(Model model, Dataset data, Settings s, RunContext context) throws IOException {
        GradientTrainable trainable = model.as(GradientTrainable.class).orElseThrow(() -> new IllegalArgumentException(
                "the " + s.component() + " trainer needs a GradientTrainable model; " + model.getClass().getSimpleName()
                        + " is not"));
        Optional<Persistent> persistent = model.as(Persistent.class);
        Optional<Score> score = scoreOf(model);
        Batch train = data.split(TRAIN);
        Batch test = data.splits().contains(TEST) ? data.split(TEST) : null;
        int n = Math.toIntExact(train.size());
        if (n == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        int batchSize = Math.min(s.batchSize(), n);
        int perEpoch = n / batchSize;
        Rng rng = context.rng();
        BufferAllocator allocator = context.allocator();
        String initialName = score.map(sc -> "test_" + sc.name() + "_initial").orElse(null);

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
        } else if (test != null && s.evalExamples() > 0 && score.isPresent()) {
            double initial = mean(score.get(), test, s.evalExamples(), rng.split("eval"));
            state.put(initialName, initial);
            context.log(0, Map.of("test_" + score.get().name(), initial));
        }

        int[] order = null;
        int orderEpoch = -1;
        long thisInvocation = 0;
        double lastLoss = Double.NaN;
        context.progress(start, s.steps());
        for (long step = start; step < s.steps(); step++) {
            if (context.isCancelled()) {
                checkpoint(context, persistent, step, state);
                throw new CancellationException(s.component() + " training cancelled at step " + step + " of "
                        + s.steps() + "; resume the run to continue");
            }
            int epoch = Math.toIntExact(step / perEpoch);
            if (epoch != orderEpoch) {
                order = permutation(n, rng.split("shuffle").split(epoch));
                orderEpoch = epoch;
            }
            int offset = (int) (step % perEpoch) * batchSize;
            double weight = s.regularizerWarmup() == 0 ? 1.0 : Math.min(1.0, (step + 1.0) / s.regularizerWarmup());
            AdamSettings a = s.adam();
            GradientTrainable.Step settings = new GradientTrainable.Step(new AdamSettings(s.schedule().at(step),
                    a.beta1(), a.beta2(), a.epsilon()), weight, s.weightDecay(), s.clipNorm());
            Map<String, Double> out;
            try (Batch batch = gather(train, order, offset, batchSize, allocator)) {
                out = trainable.trainStep(batch, settings, rng.split("step").split(Math.toIntExact(step)));
            }
            Double loss = out.get("loss");
            if (loss == null || !Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged: the loss is " + loss + " at step " + (step + 1));
            }
            lastLoss = loss;
            Map<String, Double> line = new LinkedHashMap<>();
            line.put("train_loss", loss);
            out.forEach((k, v) -> {
                if (!k.equals("loss")) {
                    line.put("train_" + k, v);
                }
            });
            context.log(step + 1, line);
            context.progress(step + 1, s.steps());
            thisInvocation++;
            boolean last = step + 1 == s.steps();
            if (!last && s.checkpointEvery() > 0 && (step + 1) % s.checkpointEvery() == 0) {
                checkpoint(context, persistent, step + 1, state);
                // The held-out curve gets a point per checkpoint; the same examples and noise every time.
                if (test != null && s.evalExamples() > 0 && score.isPresent()) {
                    context.log(step + 1, Map.of("test_" + score.get().name(),
                            mean(score.get(), test, s.evalExamples(), rng.split("eval"))));
                }
            }
            if (!last && s.stepsPerInvocation() != null && thisInvocation >= s.stepsPerInvocation()) {
                if (s.checkpointEvery() == 0 || (step + 1) % s.checkpointEvery() != 0) {
                    checkpoint(context, persistent, step + 1, state);
                }
                throw new IllegalStateException("stopped after " + thisInvocation + " steps in this invocation "
                        + "(stepsPerInvocation), at step " + (step + 1) + " of " + s.steps()
                        + "; checkpoint saved: resume the run (genbench resume RUN_ID) to continue");
            }
        }

        List<Metric> metrics = new ArrayList<>();
        if (s.evalExamples() > 0 && score.isPresent()) {
            Score sc = score.get();
            Map<String, Object> protocol = new LinkedHashMap<>();
            protocol.put(sc.name().equals("bound") ? "bound" : "density", sc.name().equals("bound")
                    ? model.as(LogDensityBound.class).orElseThrow().boundName() : "exact log-likelihood");
            protocol.put("examples", "the first " + s.evalExamples() + " of the split");
            protocol.put("noise", "the same stream before and after training");
            if (test != null) {
                double after = mean(sc, test, s.evalExamples(), rng.split("eval"));
                context.log(s.steps(), Map.of("test_" + sc.name(), after));
                Object initial = state.get(initialName);
                if (initial instanceof Number v) {
                    metrics.add(new Metric(initialName, v.doubleValue(), sc.kind(), withSplit(protocol, TEST, "step 0")));
                }
                metrics.add(new Metric("test_" + sc.name(), after, sc.kind(), withSplit(protocol, TEST, "after training")));
            }
            double onTrain = mean(sc, train, s.evalExamples(), rng.split("eval"));
            metrics.add(new Metric("train_" + sc.name(), onTrain, sc.kind(), withSplit(protocol, TRAIN, "after training")));
        }
        if (Double.isFinite(lastLoss)) {
            metrics.add(new Metric("train_loss_last", lastLoss, "value", Map.of("measured", "the last step's batch")));
        }
        metrics.add(Metric.of("steps", s.steps()));
        if (s.pictures()) {
            Optional<Autoencoding> ae = model.as(Autoencoding.class);
            if (ae.isPresent() && test != null && data.info().sampleShape().length >= 2) {
                Pictures.write(ae.get(), test, data.info(), Math.max(500, s.evalExamples()), context.outputDirectory(),
                        allocator);
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

    /** The mean score over the first {@code max} rows of a split. */
    private static double mean(Score score, Batch split, int max, Rng rng) {
        long n = Math.min(max, split.size());
        try (Tensor x = split.x().slice(0, n); Tensor values = score.scorer().score(x, rng)) {
            double sum = 0;
            for (long i = 0; i < n; i++) {
                sum += values.getDouble(i);
            }
            return sum / n;
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
