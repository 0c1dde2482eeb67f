package org.genbench.nn.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/**
 * Updates parameters from their gradients. State (moments, velocities) lives in named arrays, so a checkpoint holds
 * it ({@link #state()}, {@link #load}), together with the step count. A parameter without a gradient since the last
 * step is left alone (as PyTorch skips parameters whose grad is None).
 */
public abstract class Optimizer {
    protected final List<String> names;
    protected final List<NdArray> params;
    protected long steps;

    protected Optimizer(Map<String, NdArray> parameters) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter");
        }
        this.names = new ArrayList<>(parameters.keySet());
        this.params = new ArrayList<>(parameters.values());
        for (NdArray p : params) {
            if (!p.isParameter()) {
                throw new IllegalArgumentException("not a parameter: " + p);
            }
        }
    }

    /** One update with learning rate {@code lr} from the gradients accumulated since the last step; clears them. */
    public final void step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, was " + lr);
        }
        steps++;
        for (int i = 0; i < params.size(); i++) {
            NdArray p = params.get(i);
            NdArray g = p.grad();
            if (g != null) {
                update(i, p, g, lr);
            }
        }
        zeroGrad();
    }

    /** Updates parameter {@code i} from gradient {@code g}. */
    protected abstract void update(int i, NdArray p, NdArray g, double lr);

    /** Forgets every parameter's gradient. */
    public final void zeroGrad() {
        params.forEach(NdArray::clearGrad);
    }

    /** Updates taken (for bias corrections and schedules). */
    public final long steps() {
        return steps;
    }

    /** The optimizer's arrays by name ({@code <parameter>.<slot>}), to checkpoint. */
    public abstract Map<String, NdArray> state();

    /** Restores arrays saved by {@link #state()} and the step count; fails naming what does not fit. */
    public final void load(Map<String, NdArray> saved, long savedSteps) {
        Map<String, NdArray> mine = state();
        List<String> problems = new ArrayList<>();
        mine.forEach((k, v) -> {
            NdArray s = saved.get(k);
            if (s == null) {
                problems.add("missing '" + k + "'");
            } else if (s.size() != v.size()) {
                problems.add("'" + k + "' has " + s.size() + " values, expected " + v.size());
            }
        });
        saved.keySet().stream().filter(k -> !mine.containsKey(k)).forEach(k -> problems.add("unexpected '" + k + "'"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the saved optimizer state does not fit: " + String.join("; ", problems));
        }
        mine.forEach((k, v) -> v.assign(saved.get(k)));
        this.steps = savedSteps;
    }

    /** Named per-parameter slots, e.g. {@code slots("m", m)}. */
    protected final Map<String, NdArray> slots(String slot, List<NdArray> arrays, Map<String, NdArray> into) {
        for (int i = 0; i < names.size(); i++) {
            into.put(names.get(i) + "." + slot, arrays.get(i));
        }
        return into;
    }

    protected final Map<String, NdArray> newState() {
        return new LinkedHashMap<>();
    }

    /** Heap arrays of zeros shaped like each parameter. */
    protected final List<NdArray> zerosLikeParams() {
        List<NdArray> out = new ArrayList<>();
        for (NdArray p : params) {
            out.add(p.dtype() == DType.F32 ? NdArray.wrap(new float[p.size()], p.shape())
                    : NdArray.wrap(new double[p.size()], p.shape()));
        }
        return out;
    }
}
