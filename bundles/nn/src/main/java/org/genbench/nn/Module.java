package org.genbench.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A part of a network with named parameters (trainable arrays), buffers (state that is saved but not trained, like
 * running statistics) and child modules, found by walking the tree: names are dotted paths ({@code encoder.0.weight}),
 * in registration order. A module's forward computation is whatever methods it offers ({@link Layer#forward} for
 * one-input modules); modules keep no activations between calls, so one module can serve many graphs.
 */
public abstract class Module {
    private final Map<String, NdArray> params = new LinkedHashMap<>();
    private final Map<String, NdArray> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a trainable parameter initialized to {@code init} (copied to the heap). */
    protected final NdArray param(String name, NdArray init) {
        checkName(name);
        NdArray p = NdArray.parameter(name, init);
        params.put(name, p);
        return p;
    }

    /** Registers a buffer initialized to {@code init} (copied to the heap). */
    protected final NdArray buffer(String name, NdArray init) {
        checkName(name);
        NdArray b = NdArray.buffer(init);
        buffers.put(name, b);
        return b;
    }

    /** Registers a child module. */
    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a module member's name must be non-empty without dots: '" + name + "'");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is registered twice");
        }
    }

    /** Every parameter of this module and its children, by dotted name. */
    public final Map<String, NdArray> parameters() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** Every buffer of this module and its children, by dotted name. */
    public final Map<String, NdArray> buffers() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** Parameters and buffers: what a checkpoint of the weights holds. */
    public final Map<String, NdArray> state() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, NdArray> out, boolean p, boolean b) {
        if (p) {
            params.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (b) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, p, b));
    }

    /** The modules below this one (not this one), depth first. */
    public final List<Module> descendants() {
        List<Module> out = new ArrayList<>();
        children.values().forEach(m -> {
            out.add(m);
            out.addAll(m.descendants());
        });
        return out;
    }

    /**
     * Copies {@code state}'s values into this module's parameters and buffers; every name must be present with the
     * same shape, and no other name may appear, else it fails naming the difference.
     */
    public final void load(Map<String, NdArray> state) {
        Map<String, NdArray> mine = state();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, NdArray> e : mine.entrySet()) {
            NdArray src = state.get(e.getKey());
            if (src == null) {
                problems.add("missing '" + e.getKey() + "'");
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(src.shape()) + ", expected "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!mine.containsKey(k)) {
                problems.add("unexpected '" + k + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the saved state does not fit this module: " + String.join("; ", problems));
        }
        mine.forEach((k, v) -> v.assign(state.get(k)));
    }

    /** Training mode (batch statistics, dropout) or evaluation mode, for this module and its children. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
    }

    public final boolean isTraining() {
        return training;
    }

    /** Freezes ({@code false}) or unfreezes every parameter. */
    public final void setRequiresGrad(boolean trainable) {
        parameters().values().forEach(p -> p.setRequiresGrad(trainable));
    }

    /** The number of trainable scalars. */
    public final long parameterCount() {
        return parameters().values().stream().mapToLong(NdArray::size).sum();
    }
}
