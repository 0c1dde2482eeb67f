package org.genbench.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.genbench.nn.DType;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * An exponential moving average of a module's parameters (shadow = decay shadow + (1 - decay) param after each
 * step), as diffusion models sample from. Buffers are copied, not averaged. {@link #swapInto} exchanges the averaged
 * and the live values, so evaluation can run on the average and training resume on the live weights.
 */
public final class Ema {
    private final Module module;
    private final double decay;
    private final Map<String, NdArray> shadow = new LinkedHashMap<>();

    public Ema(Module module, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), was " + decay);
        }
        this.module = module;
        this.decay = decay;
        module.parameters().forEach((k, p) -> shadow.put(k, NdArray.buffer(p)));
    }

    public void update() {
        update(decay);
    }

    /**
     * One update with this step's decay (for a warm-up such as {@code min(decay, (1 + n) / (10 + n))}, which lets the
     * average follow the weights early in training instead of staying near their initial values).
     */
    public void update(double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), was " + decay);
        }
        for (Map.Entry<String, NdArray> e : module.parameters().entrySet()) {
            NdArray p = e.getValue();
            NdArray s = shadow.get(e.getKey());
            int n = p.size();
            if (p.dtype() == DType.F32) {
                float[] pv = p.f();
                float[] sv = s.f();
                float a = (float) decay;
                float b = (float) (1 - decay);
                for (int i = 0; i < n; i++) {
                    sv[i] = a * sv[i] + b * pv[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    s.d()[i] = decay * s.d()[i] + (1 - decay) * p.d()[i];
                }
            }
        }
    }

    /** Exchanges live and averaged parameter values (call twice to restore). */
    public void swapInto() {
        for (Map.Entry<String, NdArray> e : module.parameters().entrySet()) {
            NdArray p = e.getValue();
            NdArray s = shadow.get(e.getKey());
            NdArray tmp = NdArray.buffer(p);
            p.assign(s);
            s.assign(tmp);
        }
    }

    /** The averaged values by parameter name, to checkpoint. */
    public Map<String, NdArray> state() {
        return shadow;
    }

    /** Restores averaged values saved by {@link #state()}. */
    public void load(Map<String, NdArray> saved) {
        for (Map.Entry<String, NdArray> e : shadow.entrySet()) {
            NdArray s = saved.get(e.getKey());
            if (s == null || s.size() != e.getValue().size()) {
                throw new IllegalArgumentException("the saved EMA has no (or a differently shaped) '" + e.getKey() + "'");
            }
            e.getValue().assign(s);
        }
    }
}
