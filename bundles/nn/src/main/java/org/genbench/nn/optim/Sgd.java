package org.genbench.nn.optim;

import java.util.List;
import java.util.Map;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/**
 * Stochastic gradient descent with momentum and L2 weight decay as PyTorch's {@code torch.optim.SGD}:
 * g += wd p; v = mu v + g (dampening 0); p -= lr v (or lr (g + mu v) with Nesterov). Contrastive divergence uses it
 * with the gradient's sign flipped by the model (it returns the negative log-likelihood's gradient like every loss).
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final List<NdArray> velocity;

    public Sgd(Map<String, NdArray> parameters, double momentum, double weightDecay, boolean nesterov) {
        super(parameters);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.velocity = zerosLikeParams();
    }

    @Override
    protected void update(int i, NdArray p, NdArray g, double lr) {
        int n = p.size();
        if (p.dtype() == DType.F32) {
            float[] pv = p.f();
            float[] gv = g.f();
            float[] vv = velocity.get(i).f();
            float mu = (float) momentum;
            float wd = (float) weightDecay;
            float rate = (float) lr;
            boolean first = steps == 1;
            for (int k = 0; k < n; k++) {
                float gk = gv[k] + wd * pv[k];
                float vk = first ? gk : mu * vv[k] + gk;
                vv[k] = vk;
                pv[k] -= rate * (nesterov ? gk + mu * vk : vk);
            }
        } else {
            double[] pv = p.d();
            double[] gv = g.d();
            double[] vv = velocity.get(i).d();
            for (int k = 0; k < n; k++) {
                double gk = gv[k] + weightDecay * pv[k];
                double vk = steps == 1 ? gk : momentum * vv[k] + gk;
                vv[k] = vk;
                pv[k] -= lr * (nesterov ? gk + momentum * vk : vk);
            }
        }
    }

    @Override
    public Map<String, NdArray> state() {
        return slots("velocity", velocity, newState());
    }
}
