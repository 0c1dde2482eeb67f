package org.genbench.nn.optim;

import java.util.List;
import java.util.Map;
import org.genbench.api.AdamSettings;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/**
 * Adam (Kingma and Ba 2015) as PyTorch's {@code torch.optim.Adam}, and AdamW (Loshchilov and Hutter 2019) when the
 * weight decay is decoupled: m and v per parameter, bias corrections folded into the step, epsilon added to sqrt(v)
 * after its correction. The update loop reads and writes each array once with its constants hoisted, so the JIT
 * vectorizes it.
 */
public final class Adam extends Optimizer {
    private final AdamSettings settings;
    private final double weightDecay;
    private final boolean decoupled;
    private final List<NdArray> m;
    private final List<NdArray> v;

    /** Adam without weight decay. */
    public Adam(Map<String, NdArray> parameters, AdamSettings settings) {
        this(parameters, settings, 0, false);
    }

    /**
     * Adam with L2 weight decay added to the gradient ({@code decoupled} false), or AdamW with the parameters shrunk
     * by lr * weightDecay before the step ({@code decoupled} true).
     */
    public Adam(Map<String, NdArray> parameters, AdamSettings settings, double weightDecay, boolean decoupled) {
        super(parameters);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
        }
        this.settings = settings;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = zerosLikeParams();
        this.v = zerosLikeParams();
    }

    public AdamSettings settings() {
        return settings;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected void update(int i, NdArray p, NdArray g, double lr) {
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double bc1 = 1 - Math.pow(b1, steps);
        double bc2 = 1 - Math.pow(b2, steps);
        double stepSize = lr / bc1;
        double invSqrtBc2 = 1 / Math.sqrt(bc2);
        int n = p.size();
        if (p.dtype() == DType.F32) {
            float[] pv = p.f();
            float[] gv = g.f();
            float[] mv = m.get(i).f();
            float[] vv = v.get(i).f();
            float fb1 = (float) b1;
            float fb2 = (float) b2;
            float omb1 = (float) (1 - b1);
            float omb2 = (float) (1 - b2);
            float step = (float) stepSize;
            float inv = (float) invSqrtBc2;
            float eps = (float) settings.epsilon();
            float wd = (float) weightDecay;
            if (decoupled && weightDecay > 0) {
                float shrink = (float) (1 - lr * weightDecay);
                for (int k = 0; k < n; k++) {
                    pv[k] *= shrink;
                }
            }
            if (!decoupled && weightDecay > 0) {
                for (int k = 0; k < n; k++) {
                    float gk = gv[k] + wd * pv[k];
                    float mk = fb1 * mv[k] + omb1 * gk;
                    float vk = fb2 * vv[k] + omb2 * gk * gk;
                    mv[k] = mk;
                    vv[k] = vk;
                    pv[k] -= step * mk / ((float) Math.sqrt(vk) * inv + eps);
                }
            } else {
                for (int k = 0; k < n; k++) {
                    float gk = gv[k];
                    float mk = fb1 * mv[k] + omb1 * gk;
                    float vk = fb2 * vv[k] + omb2 * gk * gk;
                    mv[k] = mk;
                    vv[k] = vk;
                    pv[k] -= step * mk / ((float) Math.sqrt(vk) * inv + eps);
                }
            }
        } else {
            double[] pv = p.d();
            double[] gv = g.d();
            double[] mv = m.get(i).d();
            double[] vv = v.get(i).d();
            for (int k = 0; k < n; k++) {
                if (decoupled) {
                    pv[k] *= 1 - lr * weightDecay;
                }
                double gk = gv[k] + (decoupled ? 0 : weightDecay * pv[k]);
                mv[k] = b1 * mv[k] + (1 - b1) * gk;
                vv[k] = b2 * vv[k] + (1 - b2) * gk * gk;
                pv[k] -= stepSize * mv[k] / (Math.sqrt(vv[k]) * invSqrtBc2 + settings.epsilon());
            }
        }
    }

    @Override
    public Map<String, NdArray> state() {
        Map<String, NdArray> s = newState();
        slots("m", m, s);
        slots("v", v, s);
        return s;
    }
}
