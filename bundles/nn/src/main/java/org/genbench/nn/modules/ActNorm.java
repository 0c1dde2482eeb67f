package org.genbench.nn.modules;

import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * Activation normalization (Kingma and Dhariwal 2018, Glow): y = (x + bias) * exp(logScale) per channel of
 * [n, c] or [n, c, h, w], initialized from the first batch it sees in training mode so that y has zero mean and unit
 * variance per channel (in evaluation mode an uninitialized one is the identity: scoring held-out data before training
 * must not initialize it from that data); invertible, with log |det dy/dx| = (h w) sum(logScale) per example.
 */
public final class ActNorm extends Module implements Layer {
    private final NdArray bias;
    private final NdArray logScale;
    private final NdArray initialized;
    private final int channels;

    public ActNorm(int channels, DType dtype) {
        this.channels = channels;
        this.bias = param("bias", NdArray.zeros(dtype, channels));
        this.logScale = param("log_scale", NdArray.zeros(dtype, channels));
        this.initialized = buffer("initialized", NdArray.zeros(dtype, 1));
    }

    @Override
    public NdArray forward(NdArray x) {
        if (initialized.getFlat(0) == 0 && isTraining()) {
            initialize(x);
        }
        return F.mul(F.add(x, shaped(bias, x)), F.exp(shaped(logScale, x)));
    }

    /** x from y: y exp(-logScale) - bias. */
    public NdArray inverse(NdArray y) {
        return F.sub(F.mul(y, F.exp(F.neg(shaped(logScale, y)))), shaped(bias, y));
    }

    /** log |det dy/dx| per example for inputs shaped like {@code x}: positions times the sum of logScale (a scalar). */
    public NdArray logDet(NdArray x) {
        int positions = x.size() / Math.max(1, x.dim(0) * channels);
        return F.mul(F.sum(logScale), positions);
    }

    private NdArray shaped(NdArray p, NdArray x) {
        int[] s = new int[x.rank() - 1];
        java.util.Arrays.fill(s, 1);
        s[0] = channels;
        return F.reshape(p, s);
    }

    private void initialize(NdArray x) {
        int n = x.dim(0);
        int inner = x.size() / Math.max(1, n * channels);
        for (int c = 0; c < channels; c++) {
            double s = 0;
            double ss = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < inner; i++) {
                    double v = x.getFlat((b * channels + c) * inner + i);
                    s += v;
                    ss += v * v;
                }
            }
            int count = n * inner;
            double mean = s / count;
            double var = Math.max(ss / count - mean * mean, 0);
            bias.setFlat(c, -mean);
            logScale.setFlat(c, -0.5 * Math.log(var + 1e-6));
        }
        initialized.setFlat(0, 1);
    }

    public boolean isInitialized() {
        return initialized.getFlat(0) != 0;
    }
}
