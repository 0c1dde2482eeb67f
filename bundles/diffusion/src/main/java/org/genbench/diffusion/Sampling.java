package org.genbench.diffusion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataScaling;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.internal.Arrays32;
import org.genbench.tensor.ArrowIpc;

/**
 * What every diffusion and score sampler does around its reverse process: the classes to draw, progress and a curve per
 * step, trajectories on request, the samples in the data's space, and the diagnostics that say how many steps and
 * network evaluations a sample cost (a run plots its evaluators' scores against {@link #STEPS}, one line per
 * {@link #SERIES}).
 */
public final class Sampling {
    /** Diagnostic: reverse steps taken (the x axis of a run's quality-vs-steps plots). */
    public static final String STEPS = SampleResult.STEPS;
    /** Diagnostic: network evaluations per sample (a guided evaluation counts twice). */
    public static final String EVALUATIONS = "network_evaluations";
    /** Protocol key naming the sampler and its settings other than the steps, e.g. {@code ddim eta=0}. */
    public static final String SERIES = SampleResult.SERIES;
    /** The trajectory file a sampler writes into its output directory. */
    public static final String TRAJECTORY = "trajectory.arrow";

    private Sampling() {
    }

    /**
     * The class of each of {@code n} samples: for a {@link Conditional} model, {@code label} for all (-1: no class, the
     * unconditional model), or when null the classes in turn (sample i gets class i mod K, so every class is drawn
     * equally); for other models null, and a label is refused.
     */
    public static int[] labels(Model model, Integer label, int n) {
        Optional<Conditional> c = model.as(Conditional.class);
        if (c.isEmpty()) {
            if (label != null) {
                throw new IllegalArgumentException("label " + label + " was given, but the model is not conditional");
            }
            return null;
        }
        int k = c.get().numClasses();
        if (label != null && (label < -1 || label >= k)) {
            throw new IllegalArgumentException("label must be a class in 0.." + (k - 1) + ", or -1 for none; was " + label);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = label == null ? i % k : label;
        }
        return out;
    }

    /** Refuses guidance a model cannot take: it needs classes. */
    public static void checkGuidance(int[] labels, double guidance) {
        if (guidance > 0 && labels == null) {
            throw new IllegalArgumentException("guidance " + guidance + " needs a conditional model (classifier-free guidance"
                    + " mixes its conditional and unconditional predictions)");
        }
    }

    /**
     * Reports progress after every step, logs the RMS of the state and of the clean-sample prediction (model space) at
     * about 100 steps, stops a cancelled run, and keeps {@code frames} snapshots of the first {@code traced} samples.
     */
    public static final class Trace implements Observer {
        private final RunContext context;
        private final int traced;
        private final int dim;
        private final DataScaling scaling;
        private final int[] frameSteps;
        private final List<float[]> states = new ArrayList<>();
        private final List<float[]> predictions = new ArrayList<>();
        private final List<Integer> stepsKept = new ArrayList<>();
        private int n;

        public Trace(RunContext context, int n, int dim, int total, int traced, int frames, DataScaling scaling) {
            this.context = context;
            this.n = n;
            this.traced = Math.min(traced, n);
            this.dim = dim;
            this.scaling = scaling;
            this.frameSteps = frames < 2 ? new int[0] : frameSteps(total, frames);
        }

        /** {@code frames} steps from 0 to total, evenly spaced, without repeats. */
        static int[] frameSteps(int total, int frames) {
            return java.util.stream.IntStream.range(0, frames).map(i -> (int) Math.round((double) i * total / (frames - 1)))
                    .distinct().toArray();
        }

        @Override
        public void step(int done, int total, float[] x, float[] x0) {
            if (context.isCancelled()) {
                throw new CancellationException("sampling cancelled at step " + done + " of " + total);
            }
            context.progress(done, total);
            int every = Math.max(1, total / 100);
            if (done > 0 && (done % every == 0 || done == total)) {
                context.log(done, Map.of("x_rms", rms(x), "x0_rms", rms(x0)));
            }
            if (traced > 0 && java.util.Arrays.binarySearch(frameSteps, done) >= 0) {
                int len = traced * dim;
                float[] s = new float[len];
                float[] p = new float[len];
                for (int j = 0; j < len; j++) {
                    s[j] = (float) scaling.toData(x[j]);
                    p[j] = (float) scaling.toData(x0[j]);
                }
                states.add(s);
                predictions.add(p);
                stepsKept.add(done);
            }
        }

        private double rms(float[] v) {
            double s = 0;
            int len = n * dim;
            for (int j = 0; j < len; j++) {
                s += (double) v[j] * v[j];
            }
            return Math.sqrt(s / len);
        }

        /** Snapshots kept: states x_t and predictions of x_0 in the data's space (not clipped), and their steps. */
        public List<float[]> states() {
            return states;
        }

        public List<float[]> predictions() {
            return predictions;
        }

        public List<Integer> steps() {
            return stepsKept;
        }

        public int traced() {
            return traced;
        }

        /**
         * Writes {@link #TRAJECTORY} into {@code dir}: columns {@code x} (the states) and {@code x0} (the predictions),
         * {@code [frames * traced, sampleShape...]} frame-major, with {@code step} and {@code sample} per row.
         */
        public void write(Path dir, long[] sampleShape, BufferAllocator allocator) throws IOException {
            if (states.isEmpty()) {
                return;
            }
            int frames = states.size();
            int rows = frames * traced;
            float[] xs = new float[rows * dim];
            float[] ps = new float[rows * dim];
            int[] step = new int[rows];
            int[] sample = new int[rows];
            for (int f = 0; f < frames; f++) {
                System.arraycopy(states.get(f), 0, xs, f * traced * dim, traced * dim);
                System.arraycopy(predictions.get(f), 0, ps, f * traced * dim, traced * dim);
                for (int i = 0; i < traced; i++) {
                    step[f * traced + i] = stepsKept.get(f);
                    sample[f * traced + i] = i;
                }
            }
            Map<String, Tensor> columns = new LinkedHashMap<>();
            try {
                columns.put("x", Arrays32.floats(allocator, xs, 0, rows, sampleShape));
                columns.put("x0", Arrays32.floats(allocator, ps, 0, rows, sampleShape));
                columns.put("step", Arrays32.ints(allocator, step, 0, rows));
                columns.put("sample", Arrays32.ints(allocator, sample, 0, rows));
                ArrowIpc.write(dir.resolve(TRAJECTORY), columns);
            } finally {
                columns.values().forEach(Tensor::close);
            }
        }
    }

    /**
     * Checks the settings every diffusion sampler shares, naming the field: samples 1..10^7, batchSize 1..65536,
     * trajectory 0..4096 (samples traced) and frames 2..1000, guidance finite and >= 0, label >= -1 or absent.
     */
    public static void checkCommon(int samples, int batchSize, int trajectory, int frames, double guidance, Integer label) {
        range("samples", samples, 1, 10_000_000);
        range("batchSize", batchSize, 1, 65536);
        range("trajectory", trajectory, 0, 4096);
        range("frames", frames, 2, 1000);
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, was " + guidance);
        }
        if (label != null && label < -1) {
            throw new IllegalArgumentException("label must be a class (>= 0), -1 for none, or absent; was " + label);
        }
    }

    /** Fails naming the field unless min <= value <= max. */
    public static void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** The diagnostics every diffusion sampler reports, with its settings as the protocol. */
    public static List<Metric> diagnostics(int n, int steps, double evaluationsPerSample, String series,
                                           Map<String, Object> settings) {
        Map<String, Object> protocol = new LinkedHashMap<>(settings);
        protocol.put(SERIES, series);
        protocol.put("samples", n);
        return List.of(new Metric("samples", n, "count", protocol),
                new Metric(STEPS, steps, "count", protocol),
                new Metric(EVALUATIONS, evaluationsPerSample, "count", protocol));
    }

    /**
     * The samples as the sampler's result, in the data's space ({@link Samples#toData}); fails naming the sampler when a
     * value is not finite (a diverged chain: a step size too large for the model).
     */
    public static SampleResult result(String sampler, float[] y, int n, long[] sampleShape, DataScaling scaling,
                                      BufferAllocator allocator, List<Metric> diagnostics) {
        for (int j = 0; j < y.length; j++) {
            if (!Float.isFinite(y[j])) {
                throw new IllegalStateException(sampler + " diverged: sample " + (j / Math.max(1, y.length / n)) + " has the value "
                        + y[j] + "; use a smaller step or more steps");
            }
        }
        return new SampleResult(Samples.toData(y, n, sampleShape, scaling, allocator), 1, diagnostics);
    }
}
