package org.genbench.trainer.adversarial.internal;

import org.genbench.api.AdamSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.AdversarialTrainable;
import org.genbench.api.Checkpoints;
import org.genbench.api.Conditional;
import org.genbench.api.Dataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.service.component.annotations.Component;

/**
 * Trains an {@link AdversarialTrainable} model (a GAN) the standard way: per step, {@code dSteps} discriminator
 * updates on real mini-batches and as many generated ones, then one generator update with the non-saturating loss,
 * each side with its own Adam. Optional one-sided label smoothing (Salimans et al. 2016) lowers only D's target for
 * real data.
 *
 * <p>Everything random in step {@code s} comes from {@code context.rng().split(s)}, and the order of real examples
 * from a permutation per epoch, so a run resumed from a checkpoint at step {@code s} continues with exactly the
 * numbers an uninterrupted run has after {@code s}.
 */
@Component(service = Trainer.class)
public final class AdversarialTrainer implements Trainer<AdversarialTrainer.Config> {
    public static final String NAME = "adversarial";
    static final String TRAIN = "train";

    /**
     * @param steps            generator updates (default 2000, at least 1)
     * @param batchSize        real examples per discriminator update, and generated examples per update of either
     *                         network (default 64, at least 1; at most the training split's size)
     * @param dSteps           discriminator updates per generator update (default 1, 1 to 100)
     * @param learningRateG    Adam's learning rate for G (default 2e-4, DCGAN's)
     * @param learningRateD    Adam's learning rate for D (default 2e-4)
     * @param beta1            Adam's beta1 for both (default 0.5, DCGAN's; in [0, 1))
     * @param beta2            Adam's beta2 for both (default 0.999; in [0, 1))
     * @param labelSmoothing   one-sided: D's target for real data is 1 - labelSmoothing (default 0; in [0, 0.5))
     * @param checkpointEvery  save a checkpoint every this many steps (default 500; 0: never)
     * @param logEvery         log d_loss and g_loss every this many steps (default 1, at least 1)
     * @param samplesPerClass  for a {@link Conditional} model: after training, draw this many samples of each class
     *                         into {@code outputs/<trainer>/conditional-samples.arrow} (columns {@code x} and the
     *                         requested {@code label}), for judging whether G follows its condition (default 10, 0 to
     *                         10000; 0: none)
     * @param threads          native threads (ND4J's OpenMP pool and BLAS) while training; 0 (default) leaves the
     *                         process setting. The networks of small experiments run many short ops, and on a busy
     *                         machine a second thread that spin-waits for its partner costs more than it brings
     *                         (measured on 2 shared cores: 1.4 s per DCGAN step with two threads, 0.3 s with one).
     *                         The setting is process-wide and restored when training ends (0 to 256)
     */
    public record Config(Integer steps, Integer batchSize, Integer dSteps, Double learningRateG, Double learningRateD,
                         Double beta1, Double beta2, Double labelSmoothing, Integer checkpointEvery, Integer logEvery,
                         Integer samplesPerClass, Integer threads) {
        public Config {
            steps = steps == null ? 2000 : steps;
            batchSize = batchSize == null ? 64 : batchSize;
            dSteps = dSteps == null ? 1 : dSteps;
            learningRateG = learningRateG == null ? 2e-4 : learningRateG;
            learningRateD = learningRateD == null ? 2e-4 : learningRateD;
            beta1 = beta1 == null ? 0.5 : beta1;
            beta2 = beta2 == null ? 0.999 : beta2;
            labelSmoothing = labelSmoothing == null ? 0.0 : labelSmoothing;
            checkpointEvery = checkpointEvery == null ? 500 : checkpointEvery;
            logEvery = logEvery == null ? 1 : logEvery;
            samplesPerClass = samplesPerClass == null ? 10 : samplesPerClass;
            threads = threads == null ? 0 : threads;
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            if (dSteps < 1 || dSteps > 100) {
                throw new IllegalArgumentException("dSteps must be between 1 and 100, was " + dSteps);
            }
            positive("learningRateG", learningRateG);
            positive("learningRateD", learningRateD);
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new IllegalArgumentException("beta1 must be in [0, 1), was " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("beta2 must be in [0, 1), was " + beta2);
            }
            if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
                throw new IllegalArgumentException("labelSmoothing must be in [0, 0.5), was " + labelSmoothing);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpointEvery must be >= 0, was " + checkpointEvery);
            }
            if (logEvery < 1) {
                throw new IllegalArgumentException("logEvery must be >= 1, was " + logEvery);
            }
            if (threads < 0 || threads > 256) {
                throw new IllegalArgumentException("threads must be between 0 and 256, was " + threads);
            }
            if (samplesPerClass < 0 || samplesPerClass > 10000) {
                throw new IllegalArgumentException("samplesPerClass must be between 0 and 10000, was " + samplesPerClass);
            }
        }

        private static void positive(String field, double value) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(field + " must be finite and > 0, was " + value);
            }
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Adversarial training (GAN): alternating D and G Adam steps, non-saturating G loss, optional one-sided"
                + " label smoothing; checkpoints and exact resume";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(AdversarialTrainable.class);
    }

    /**
     * Returns {@code d_loss} and {@code g_loss} averaged over the last {@code min(100, steps)} steps (single steps are
     * noisy), and {@code steps} reached. A cancelled run returns what it reached.
     */
    @Override
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws IOException {
        if (config.threads() == 0) {
            return trainWith(model, data, config, context);
        }
        Environment env = Nd4j.getEnvironment();
        Blas blas = Nd4j.factory().blas();
        int ompBefore = env.maxThreads();
        int blasBefore = blas.getMaxThreads();
        env.setMaxThreads(config.threads());
        blas.setMaxThreads(config.threads());
        try {
            return trainWith(model, data, config, context);
        } finally {
            env.setMaxThreads(ompBefore);
            blas.setMaxThreads(blasBefore);
        }
    }

    private List<Metric> trainWith(Model model, Dataset data, Config config, RunContext context) throws IOException {
        AdversarialTrainable gan = model.as(AdversarialTrainable.class).orElseThrow(() -> new IllegalArgumentException(
                "the adversarial trainer needs a model with AdversarialTrainable; " + model.getClass().getSimpleName()
                        + " has none"));
        boolean conditional = model.as(Conditional.class).isPresent();
        Batch train = data.split(TRAIN);
        if (conditional && train.label().isEmpty()) {
            throw new IllegalArgumentException("the model is conditional but dataset '" + data.info().name()
                    + "' has no labels in its train split");
        }
        long n = train.size();
        if (config.batchSize() > n) {
            throw new IllegalArgumentException("batchSize " + config.batchSize() + " exceeds the " + n
                    + " examples of the train split");
        }
        AdamSettings adamG = new AdamSettings(config.learningRateG(), config.beta1(),
                config.beta2(), 1e-8);
        AdamSettings adamD = new AdamSettings(config.learningRateD(), config.beta1(),
                config.beta2(), 1e-8);
        double realTarget = 1.0 - config.labelSmoothing();
        Optional<Persistent> persistent = model.as(Persistent.class);

        long start = 0;
        Optional<Checkpoints.Restored> restored = context.checkpoints().latest();
        if (restored.isPresent()) {
            Persistent p = persistent.orElseThrow(() -> new IllegalStateException(
                    "a checkpoint exists but the model cannot load one (no Persistent)"));
            restored.get().restore(p);
            start = restored.get().step();
        }
        int steps = config.steps();
        int window = Math.min(100, steps);
        double[] dHistory = history(restored, "dHistory", window);
        double[] gHistory = history(restored, "gHistory", window);

        Rng rng = context.rng();
        long reached = start;
        try (Shuffler batches = new Shuffler(train, config.batchSize(), rng.split("epochs"), context.allocator())) {
            context.progress(start, steps);
            for (long step = start + 1; step <= steps && !context.isCancelled(); step++) {
                Rng stepRng = rng.split(Math.toIntExact(step));
                double dLoss = 0;
                for (int k = 0; k < config.dSteps(); k++) {
                    long index = (step - 1) * config.dSteps() + k;
                    try (Batch real = batches.batch(index)) {
                        Tensor labels = conditional ? real.label().orElseThrow() : null;
                        dLoss = gan.discriminatorStep(real.x(), labels, realTarget, adamD, stepRng.split("d" + k));
                    }
                }
                double gLoss = gan.generatorStep(config.batchSize(), adamG, stepRng.split("g"));
                if (!Double.isFinite(dLoss) || !Double.isFinite(gLoss)) {
                    throw new IllegalStateException("training diverged at step " + step + ": d_loss " + dLoss
                            + ", g_loss " + gLoss);
                }
                dHistory[(int) (step % window)] = dLoss;
                gHistory[(int) (step % window)] = gLoss;
                reached = step;
                if (step % config.logEvery() == 0) {
                    context.log(step, Map.of("d_loss", dLoss, "g_loss", gLoss));
                }
                context.progress(step, steps);
                if (persistent.isPresent() && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0
                        && step < steps) {
                    Map<String, Object> state = new HashMap<>();
                    state.put("step", step);
                    // the loss windows behind the final metrics, so a resumed run reports what an uninterrupted one does
                    state.put("dHistory", java.util.Arrays.stream(dHistory).boxed().toList());
                    state.put("gHistory", java.util.Arrays.stream(gHistory).boxed().toList());
                    context.checkpoints().save(step, persistent.get(), state);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Optional<Conditional> cond = model.as(Conditional.class);
        if (cond.isPresent() && config.samplesPerClass() > 0 && reached == steps) {
            writeConditionalSamples(cond.get(), config.samplesPerClass(), rng.split("conditional-samples"), context);
        }
        List<Metric> metrics = new ArrayList<>();
        int averaged = (int) Math.min(window, reached);
        if (averaged > 0) {
            Map<String, Object> protocol = Map.of("averagedOverLastSteps", averaged, "batchSize", config.batchSize(),
                    "dSteps", config.dSteps(), "labelSmoothing", config.labelSmoothing());
            metrics.add(new Metric("d_loss", mean(dHistory, reached, averaged), "train", protocol));
            metrics.add(new Metric("g_loss", mean(gHistory, reached, averaged), "train", protocol));
        }
        metrics.add(Metric.of("steps", reached));
        return List.copyOf(metrics);
    }

    static final String CONDITIONAL_SAMPLES = "conditional-samples.arrow";

    /** {@code perClass} samples of each class, class-major, with the labels they were asked for. */
    private static void writeConditionalSamples(Conditional model, int perClass, Rng rng, RunContext context)
            throws IOException {
        int k = model.numClasses();
        try (Tensor labels = Tensor.allocate(context.allocator(), DType.INT32, (long) k * perClass)) {
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < perClass; i++) {
                    labels.setDouble((long) c * perClass + i, c);
                }
            }
            try (Tensor x = model.sample(labels, rng, context.allocator())) {
                Map<String, Tensor> columns = new java.util.LinkedHashMap<>();
                columns.put(Batch.X, x);
                columns.put(Batch.LABEL, labels);
                ArrowIpc.write(context.outputDirectory().resolve(CONDITIONAL_SAMPLES), columns);
            }
        }
    }

    private static double[] history(Optional<Checkpoints.Restored> restored, String key, int window) throws IOException {
        double[] ring = new double[window];
        if (restored.isEmpty()) {
            return ring;
        }
        Object saved = restored.get().trainerState().get(key);
        if (!(saved instanceof List<?> list) || list.size() != window) {
            throw new IOException("checkpoint at step " + restored.get().step() + ": trainer state '" + key
                    + "' must be a list of " + window + " numbers, was " + saved);
        }
        for (int i = 0; i < window; i++) {
            ring[i] = ((Number) list.get(i)).doubleValue();
        }
        return ring;
    }

    /** Mean of the {@code count} values logged up to {@code last}, from the ring buffer indexed by step. */
    private static double mean(double[] ring, long last, int count) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += ring[(int) ((last - i) % ring.length)];
        }
        return sum / count;
    }
}
