package org.genbench.model.gan.internal;

import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Init;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Sequential;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.ConvTranspose2d;
import org.genbench.nn.modules.Linear;

/**
 * The GAN's two networks on nn: an MLP pair for vectors and the DCGAN pair for images (Radford et al. 2016):
 * <pre>
 *   G  [z, y] -> linear 2g (H/4)(W/4) -> relu -> deconv g (4x4, stride 2) -> relu -> deconv c -> output range
 *   D  [x, y planes] -> conv d (4x4, stride 2) -> lrelu -> conv 2d -> lrelu -> flatten -> linear 1 (a logit)
 * </pre>
 * Weights start He-normal (std sqrt(2 / fan-in)) in layers followed by a rectifier and sqrt(1 / fan-in) in the last,
 * biases at zero: without batch normalization this keeps activations near unit scale through both networks.
 */
final class GanNets {
    private GanNets() {
    }

    /** The output layer: identity, (tanh + 1) / 2 ([0, 1]) or tanh ([-1, 1]). */
    static Layer output(String kind) {
        return switch (kind) {
            case GanFamily.UNIT -> x -> F.mul(F.add(F.tanh(x), 1.0), 0.5);
            case GanFamily.SYMMETRIC -> F::tanh;
            default -> x -> x;
        };
    }

    static Module mlp(int in, int hidden, int layers, int out, double leak, Layer last, DType dtype, Rng rng) {
        Layer[] parts = new Layer[2 * layers + 2];
        int width = in;
        for (int i = 0; i < layers; i++) {
            parts[2 * i] = init(new Linear(width, hidden, dtype, rng), Math.sqrt(2.0 / width), rng.split(i));
            parts[2 * i + 1] = x -> F.leakyRelu(x, leak);
            width = hidden;
        }
        parts[2 * layers] = init(new Linear(width, out, dtype, rng), Math.sqrt(1.0 / width), rng.split(layers));
        parts[2 * layers + 1] = last;
        return new Sequential(parts);
    }

    static Module dcganGenerator(int in, int g, int channels, int height, int width, Layer last, DType dtype, Rng rng) {
        int h4 = height / 4;
        int w4 = width / 4;
        return new Sequential(
                init(new Linear(in, 2 * g * h4 * w4, dtype, rng), Math.sqrt(2.0 / in), rng.split(0)),
                F::relu,
                x -> F.reshape(x, x.dim(0), 2 * g, h4, w4),
                // a stride-2 transposed 4x4 kernel reaches each output pixel with 4 taps per input channel
                init(new ConvTranspose2d(2 * g, g, 4, 2, 1, 0, true, dtype, rng), Math.sqrt(2.0 / (2 * g * 4)), rng.split(1)),
                F::relu,
                init(new ConvTranspose2d(g, channels, 4, 2, 1, 0, true, dtype, rng), Math.sqrt(1.0 / (g * 4)), rng.split(2)),
                last);
    }

    static Module dcganDiscriminator(int in, int d, int height, int width, double leak, DType dtype, Rng rng) {
        int flat = 2 * d * (height / 4) * (width / 4);
        return new Sequential(
                init(new Conv2d(in, d, 4, 2, 1, true, dtype, rng), Math.sqrt(2.0 / (16 * in)), rng.split(0)),
                x -> F.leakyRelu(x, leak),
                init(new Conv2d(d, 2 * d, 4, 2, 1, true, dtype, rng), Math.sqrt(2.0 / (16 * d)), rng.split(1)),
                x -> F.leakyRelu(x, leak),
                x -> F.flatten(x, 1),
                init(new Linear(flat, 1, dtype, rng), Math.sqrt(1.0 / flat), rng.split(2)));
    }

    /** Weights N(0, std^2) from {@code rng}, biases 0. */
    private static <M extends Module> M init(M m, double std, Rng rng) {
        for (NdArray p : m.parameters().values()) {
            if (p.name().equals("weight")) {
                p.assign(Init.normal(rng, p.dtype(), std, p.shape()));
            } else {
                p.fill(0);
            }
        }
        return m;
    }
}
