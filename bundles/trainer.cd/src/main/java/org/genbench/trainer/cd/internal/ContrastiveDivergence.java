package org.genbench.trainer.cd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.Checkpoints;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.Dataset;
import org.genbench.api.Energy;
import org.genbench.api.LayerwiseTrainable;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * The loop both trainers run: for each layer (one for an RBM, bottom-up for a stack), {@code steps} updates, each on
 * a mini-batch (the positive phase, passed up through the layers below) and on states of Gibbs chains on the layer
 * (the negative phase): chains started at the batch and run k sweeps (CD-k; Hinton 2002), or persistent chains
 * advanced k sweeps per update (PCD; Tieleman 2008). The model takes the update ({@link ContrastiveTrainable}); the
 * chains use its exact conditionals ({@link BlockGibbs}).
 *
 * <p>Randomness: update s of the run draws everything from {@code rng.split("step").split(s)} (the pass up, then the
 * chains, in the order of their calls), the shuffle of epoch e of layer l from
 * {@code rng.split("shuffle").split(l).split(e)}; so a run resumed from a checkpoint ends at exactly the numbers of an
 * uninterrupted one, and a twin in another language can replay it (bench/rbm_twin.py).
 */
final class ContrastiveDivergence {
    static final String TRAIN = "train";
    static final String TEST = "test";

    private final String name;
    private final Settings s;
    private final boolean persistent;

    ContrastiveDivergence(String name, Settings settings, boolean persistent) {
        this.name = name;
        this.s = settings;
        this.persistent = persistent;
    }

    /** A layer to train: the model seen through the two capabilities the loop needs. */
    private record Layer(int index, Model model, ContrastiveTrainable trainable, BlockGibbs gibbs) {
    }

    List<Metric> train(Model model, Dataset data, RunContext context) throws IOException {
        Optional<LayerwiseTrainable> stack = model.as(LayerwiseTrainable.class);
        int layers = stack.map(LayerwiseTrainable::layerCount).orElse(1);
        Optional<Persistent> saver = model.as(Persistent.class);
        Tensor train = data.split(TRAIN).x();
        Tensor test = data.splits().contains(TEST) ? data.split(TEST).x() : null;
        int n = Math.toIntExact(train.rows());
        if (n == 0) {
            throw new IllegalArgumentException("the training split of " + data.info().name() + " is empty");
        }
        int batchSize = Math.min(s.batchSize(), n);
        int perEpoch = n / batchSize;
        Rng rng = context.rng();
        BufferAllocator allocator = context.allocator();
        long total = (long) layers * s.steps();

        long start = 0;
        Map<String, Object> state = new LinkedHashMap<>();
        Optional<Checkpoints.Restored> restored = context.checkpoints().latest();
        if (restored.isPresent()) {
            restored.get().restore(saver.orElseThrow(() -> new IllegalStateException("a checkpoint to resume from, but"
                    + " the model is not Persistent")));
            start = restored.get().step();
            state.putAll(restored.get().trainerState());
        }
        List<Metric> metrics = new ArrayList<>();
        context.progress(start, total);
        Tensor chains = null;
        try {
            for (int l = 0; l < layers; l++) {
                Layer layer = layer(model, stack, l);
                if ((long) (l + 1) * s.steps() <= start) {
                    // Trained before the checkpoint this run resumes from, and frozen since: its final numbers again.
                    Map<String, Object> protocol = protocol(l, layers);
                    evaluate(layer, stack, train, test, rng, allocator, prefix(stack, l))
                            .forEach((k, v) -> metrics.add(new Metric(k, v, "value", protocol)));
                    continue;
                }
                long first = start > (long) l * s.steps() ? start - (long) l * s.steps() : 0;
                if (persistent) {
                    chains = restoreChains(state, l, layer, allocator);
                    if (chains == null) {
                        chains = initialChains(train, stack, l, rng.split("pcd-init").split(l), allocator);
                    }
                }
                int[] order = null;
                long orderEpoch = -1;
                for (long step = first; step < s.steps(); step++) {
                    long global = (long) l * s.steps() + step;
                    if (context.isCancelled()) {
                        checkpoint(context, saver, global, chains, l);
                        throw new CancellationException(name + " training cancelled at update " + global + " of " + total
                                + "; resume the run to continue");
                    }
                    long epoch = step / perEpoch;
                    if (epoch != orderEpoch) {
                        order = permutation(n, rng.split("shuffle").split(l).split(Math.toIntExact(epoch)));
                        orderEpoch = epoch;
                    }
                    int offset = (int) (step % perEpoch) * batchSize;
                    Rng stepRng = rng.split("step").split(Math.toIntExact(global));
                    Map<String, Double> out;
                    boolean log = (step + 1) % s.logEvery() == 0 || step + 1 == s.steps();
                    double recon = Double.NaN;
                    try (Tensor batch = gather(train, order, offset, batchSize, allocator);
                         Tensor positive = up(stack, l, batch, stepRng)) {
                        Tensor negative = persistent ? advance(layer.gibbs(), chains, stepRng)
                                : chain(layer.gibbs(), positive, stepRng);
                        try {
                            if (persistent) {
                                chains.close();
                                chains = negative.retain();
                            }
                            out = layer.trainable().contrastiveStep(positive, negative, s.step(step));
                        } finally {
                            negative.close();
                        }
                        if (log) {
                            recon = reconstructionError(layer.gibbs(), positive, stepRng.split("recon"));
                        }
                    }
                    double gap = out.get("energy_positive") - out.get("energy_negative");
                    if (!Double.isFinite(gap)) {
                        throw new IllegalStateException("training diverged: the free energies are "
                                + out + " at update " + (global + 1));
                    }
                    context.progress(global + 1, total);
                    if (log) {
                        Map<String, Double> line = new LinkedHashMap<>();
                        line.put(prefix(stack, l) + "train_recon_error", recon);
                        line.put(prefix(stack, l) + "energy_gap", gap);
                        line.put(prefix(stack, l) + "learning_rate", s.step(step).learningRate());
                        context.log(global + 1, line);
                    }
                    boolean lastOfLayer = step + 1 == s.steps();
                    if (s.evalEvery() > 0 && (step + 1) % s.evalEvery() == 0 && !lastOfLayer) {
                        context.log(global + 1, evaluate(layer, stack, train, test, rng, allocator, prefix(stack, l)));
                    }
                    if (s.checkpointEvery() > 0 && (global + 1) % s.checkpointEvery() == 0 && global + 1 < total) {
                        checkpoint(context, saver, global + 1, persistent && !lastOfLayer ? chains : null, l);
                    }
                }
                Map<String, Double> end = evaluate(layer, stack, train, test, rng, allocator, prefix(stack, l));
                context.log((long) (l + 1) * s.steps(), end);
                Map<String, Object> protocol = protocol(l, layers);
                end.forEach((k, v) -> metrics.add(new Metric(k, v, "value", protocol)));
                if (chains != null) {
                    chains.close();
                    chains = null;
                }
                state.clear();
            }
        } finally {
            if (chains != null) {
                chains.close();
            }
        }
        metrics.add(Metric.of("steps", total));
        if (s.pictures()) {
            Pictures.filters(layer(model, stack, 0).gibbs(), model.data(), context.outputDirectory(), allocator);
        }
        return List.copyOf(metrics);
    }

    private Map<String, Object> protocol(int l, int layers) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("trainer", name);
        p.put("k", s.k());
        p.put("layer", l);
        p.put("layers", layers);
        p.put("examples", "the first " + s.evalExamples() + " of the split");
        p.put("recon_error", "sum over units of (v - E[v | h])^2 with h ~ p(h | v), mean over examples");
        p.put("pseudo_loglik", "sum over units of log p(v_i | v_-i) = -softplus(F(v) - F(v with unit i flipped)),"
                + " exact over every unit, mean over examples; Bernoulli units only");
        return p;
    }

    private static String prefix(Optional<LayerwiseTrainable> stack, int l) {
        return stack.isEmpty() || l == 0 ? "" : "layer" + l + "_";
    }

    private Layer layer(Model model, Optional<LayerwiseTrainable> stack, int l) {
        Model m = stack.isPresent() ? stack.get().layer(l) : model;
        String where = stack.isPresent() ? "layer " + l + " of " + model.getClass().getSimpleName()
                : model.getClass().getSimpleName();
        ContrastiveTrainable ct = m.as(ContrastiveTrainable.class).orElseThrow(() -> new IllegalArgumentException(
                name + " needs ContrastiveTrainable and BlockGibbs; " + where + " lacks ContrastiveTrainable"));
        BlockGibbs bg = m.as(BlockGibbs.class).orElseThrow(() -> new IllegalArgumentException(
                name + " needs ContrastiveTrainable and BlockGibbs; " + where + " lacks BlockGibbs"));
        return new Layer(l, m, ct, bg);
    }

    private static Tensor up(Optional<LayerwiseTrainable> stack, int l, Tensor batch, Rng stepRng) {
        return stack.isPresent() ? stack.get().propagateUp(l, batch, stepRng.split("up")) : batch.retain();
    }

    /** CD-k: h0 ~ p(h | v0), then k times v ~ p(v | h) (and h ~ p(h | v) between): returns v_k. */
    private Tensor chain(BlockGibbs gibbs, Tensor v0, Rng stepRng) {
        Rng r = stepRng.split("gibbs");
        Tensor h = gibbs.sampleHidden(v0, r);
        Tensor v = null;
        try {
            for (int i = 0; i < s.k(); i++) {
                if (v != null) {
                    Tensor next = gibbs.sampleHidden(v, r);
                    h.close();
                    h = next;
                    v.close();
                }
                v = gibbs.sampleVisible(h, r);
            }
            return v;
        } finally {
            h.close();
        }
    }

    /** PCD: k sweeps from the chains' current states; returns the new states (the caller keeps them). */
    private Tensor advance(BlockGibbs gibbs, Tensor chains, Rng stepRng) {
        Rng r = stepRng.split("gibbs");
        Tensor v = chains.retain();
        for (int i = 0; i < s.k(); i++) {
            try (Tensor h = gibbs.sampleHidden(v, r)) {
                Tensor next = gibbs.sampleVisible(h, r);
                v.close();
                v = next;
            }
        }
        return v;
    }

    private Tensor initialChains(Tensor train, Optional<LayerwiseTrainable> stack, int l, Rng rng,
            BufferAllocator allocator) {
        int n = Math.toIntExact(train.rows());
        int[] pick = new int[s.chains()];
        for (int i = 0; i < pick.length; i++) {
            pick[i] = rng.nextInt(n);
        }
        try (Tensor rows = gather(train, pick, 0, pick.length, allocator)) {
            return up(stack, l, rows, rng);
        }
    }

    /** Mean over rows of sum_i (v_i - E[v_i | h])^2, h ~ p(h | v). */
    static double reconstructionError(BlockGibbs gibbs, Tensor v, Rng rng) {
        double[] x = v.toDoubleArray();
        double[] mean;
        try (Tensor h = gibbs.sampleHidden(v, rng); Tensor field = gibbs.visibleField(h)) {
            mean = field.toDoubleArray();
        }
        boolean bernoulli = gibbs.visibleUnits() == BlockGibbs.Units.BERNOULLI;
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double m = bernoulli ? 1 / (1 + Math.exp(-mean[i])) : mean[i];
            sum += (x[i] - m) * (x[i] - m);
        }
        return sum / v.rows();
    }

    private Map<String, Double> evaluate(Layer layer, Optional<LayerwiseTrainable> stack, Tensor train, Tensor test,
            Rng rng, BufferAllocator allocator, String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        Rng eval = rng.split("eval");
        for (String split : new String[] {TRAIN, TEST}) {
            Tensor x = split.equals(TRAIN) ? train : test;
            if (x == null) {
                continue;
            }
            long m = Math.min(s.evalExamples(), x.rows());
            try (Tensor head = x.slice(0, m); Tensor v = up(stack, layer.index(), head, eval.split(split))) {
                out.put(prefix + split + "_recon_error", reconstructionError(layer.gibbs(), v, eval.split(split + "-h")));
                Optional<Energy> energy = layer.model().as(Energy.class);
                if (energy.isPresent() && layer.gibbs().visibleUnits() == BlockGibbs.Units.BERNOULLI) {
                    out.put(prefix + split + "_pseudo_loglik", pseudoLogLikelihood(energy.get(), v, allocator));
                }
            }
        }
        return out;
    }

    /**
     * Exact pseudo-log-likelihood of binary rows (Besag 1975): sum over units of log p(v_i | v_-i) =
     * -softplus(F(v) - F(v^(i))), v^(i) with unit i flipped; mean over rows. Energies go to the model in chunks of
     * rows with all their flips.
     */
    static double pseudoLogLikelihood(Energy energy, Tensor v, BufferAllocator allocator) {
        int n = Math.toIntExact(v.rows());
        int d = Math.toIntExact(v.rowSize());
        double[] x = v.toDoubleArray();
        int perCall = Math.max(1, 2_000_000 / (d * (d + 1)));
        double total = 0;
        long[] shape = v.shape();
        for (int r0 = 0; r0 < n; r0 += perCall) {
            int m = Math.min(perCall, n - r0);
            double[] flips = new double[m * (d + 1) * d];
            for (int r = 0; r < m; r++) {
                int base = r * (d + 1) * d;
                for (int copy = 0; copy <= d; copy++) {
                    System.arraycopy(x, (r0 + r) * d, flips, base + copy * d, d);
                    if (copy > 0) {
                        int i = base + copy * d + copy - 1;
                        flips[i] = 1 - flips[i];
                    }
                }
            }
            shape[0] = (long) m * (d + 1);
            double[] f;
            try (Tensor t = Tensor.of(allocator, DType.FLOAT64, flips, shape); Tensor e = energy.energy(t)) {
                f = e.toDoubleArray();
            }
            for (int r = 0; r < m; r++) {
                double f0 = f[r * (d + 1)];
                for (int i = 1; i <= d; i++) {
                    double z = f0 - f[r * (d + 1) + i];
                    total -= z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
                }
            }
        }
        return total / n;
    }

    private void checkpoint(RunContext context, Optional<Persistent> model, long step, Tensor chains, int layer)
            throws IOException {
        if (model.isEmpty()) {
            return;
        }
        Map<String, Object> state = new LinkedHashMap<>();
        if (chains != null) {
            state.put("pcd_layer", layer);
            state.put("pcd_shape", java.util.Arrays.stream(chains.shape()).boxed().toList());
            double[] values = chains.toDoubleArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asDoubleBuffer().put(values);
            state.put("pcd_chains", Base64.getEncoder().encodeToString(bytes.array()));
        }
        context.checkpoints().save(step, model.get(), state);
    }

    /** The persistent chains of layer {@code l} from a checkpoint's trainer state, or null. */
    private static Tensor restoreChains(Map<String, Object> state, int l, Layer layer, BufferAllocator allocator) {
        if (!(state.get("pcd_layer") instanceof Number n) || n.intValue() != l) {
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Number> dims = (List<Number>) state.get("pcd_shape");
        long[] shape = dims.stream().mapToLong(Number::longValue).toArray();
        byte[] bytes = Base64.getDecoder().decode((String) state.get("pcd_chains"));
        double[] values = new double[bytes.length / 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values);
        // Chains are binary or Gaussian states; float64 keeps the latter exact across a resume.
        return Tensor.of(allocator, DType.FLOAT64, values, shape);
    }

    /** Fisher-Yates from {@code rng}: for i = n-1 down to 1, swap i with rng.nextInt(i + 1). */
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

    /** Rows {@code order[offset .. offset + size)} of {@code source}, copied into a new tensor. */
    static Tensor gather(Tensor source, int[] order, int offset, int size, BufferAllocator allocator) {
        long[] shape = source.shape();
        shape[0] = size;
        Tensor g = Tensor.allocate(allocator, source.dtype(), shape);
        long rowBytes = source.rowSize() * source.dtype().bytes();
        ArrowBuf from = source.buffer();
        ArrowBuf to = g.buffer();
        for (int i = 0; i < size; i++) {
            to.setBytes(i * rowBytes, from, order[offset + i] * rowBytes, rowBytes);
        }
        return g;
    }
}
