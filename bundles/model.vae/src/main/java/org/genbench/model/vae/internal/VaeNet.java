package org.genbench.model.vae.internal;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.ConvTranspose2d;
import org.genbench.nn.modules.Linear;

/**
 * A VAE's encoder and decoder, on nn. With classes, the one-hot label y is appended to the encoder's input (after
 * the convolutions for {@code conv}) and to the decoder's z.
 * <pre>
 *   mlp   encoder [x, y] -> linear h -> relu -> linear 2l            decoder [z, y] -> linear h -> relu -> linear d
 *   conv  encoder x -> conv 32 -> relu -> conv 64 -> relu -> [flatten, y] -> linear 2l
 *         decoder [z, y] -> linear 64 (H/4)(W/4) -> relu -> deconv 32 -> relu -> deconv c      (4x4 kernels, stride 2)
 * </pre>
 * The encoder's output is [mu, log var]; the decoder's the logits of p(x | z).
 */
final class VaeNet extends Module {
    static final int C1 = 32;
    static final int C2 = 64;

    private final boolean conv;
    private final int d;
    private final int latent;
    private final int channels;
    private final int height;
    private final int width;
    private final Linear encIn;
    private final Linear encOut;
    private final Linear decIn;
    private final Linear decOut;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final ConvTranspose2d deconv1;
    private final ConvTranspose2d deconv2;

    VaeNet(String architecture, long[] sampleShape, int classes, int hidden, int latent, DType dtype, Rng rng) {
        this.conv = architecture.equals(VaeConfig.CONV);
        this.latent = latent;
        long dim = 1;
        for (long s : sampleShape) {
            dim *= s;
        }
        this.d = (int) dim;
        if (conv) {
            if (sampleShape.length != 3 || sampleShape[1] % 4 != 0 || sampleShape[2] % 4 != 0 || sampleShape[1] < 4
                    || sampleShape[2] < 4) {
                throw new IllegalArgumentException("architecture 'conv' needs images shaped [channels, height, width] with"
                        + " height and width multiples of 4; the data has sample shape " + Arrays.toString(sampleShape));
            }
            channels = (int) sampleShape[0];
            height = (int) sampleShape[1];
            width = (int) sampleShape[2];
            int flat = C2 * (height / 4) * (width / 4);
            conv1 = child("conv1", new Conv2d(channels, C1, 4, 2, 1, true, dtype, rng));
            conv2 = child("conv2", new Conv2d(C1, C2, 4, 2, 1, true, dtype, rng));
            encIn = null;
            encOut = child("enc_out", new Linear(flat + classes, 2 * latent, dtype, rng));
            decIn = child("dec_in", new Linear(latent + classes, flat, dtype, rng));
            deconv1 = child("deconv1", new ConvTranspose2d(C2, C1, 4, 2, 1, 0, true, dtype, rng));
            deconv2 = child("deconv2", new ConvTranspose2d(C1, channels, 4, 2, 1, 0, true, dtype, rng));
            decOut = null;
        } else {
            channels = 0;
            height = 0;
            width = 0;
            encIn = child("enc_in", new Linear(d + classes, hidden, dtype, rng));
            encOut = child("enc_out", new Linear(hidden, 2 * latent, dtype, rng));
            decIn = child("dec_in", new Linear(latent + classes, hidden, dtype, rng));
            decOut = child("dec_out", new Linear(hidden, d, dtype, rng));
            conv1 = null;
            conv2 = null;
            deconv1 = null;
            deconv2 = null;
        }
    }

    /** x [n, d] (and one-hot y [n, classes] or null) to [mu, log var], each [n, latent]. */
    NdArray[] encode(NdArray x, NdArray y) {
        NdArray h;
        if (conv) {
            NdArray img = F.reshape(x, x.dim(0), channels, height, width);
            h = F.relu(conv2.forward(F.relu(conv1.forward(img))));
            h = F.flatten(h, 1);
            h = encOut.forward(y == null ? h : F.concat(1, h, y));
        } else {
            h = encOut.forward(F.relu(encIn.forward(y == null ? x : F.concat(1, x, y))));
        }
        return new NdArray[] {F.narrow(h, 1, 0, latent), F.narrow(h, 1, latent, latent)};
    }

    /**
     * The encoder's last hidden layer for x [n, d] without a label: the ReLU layer before the code (mlp), or the
     * flattened second convolution's ReLU output (conv).
     */
    NdArray hidden(NdArray x) {
        if (conv) {
            NdArray img = F.reshape(x, x.dim(0), channels, height, width);
            return F.flatten(F.relu(conv2.forward(F.relu(conv1.forward(img)))), 1);
        }
        return F.relu(encIn.forward(x));
    }

    /** Width of {@link #hidden}. */
    int hiddenWidth() {
        return conv ? C2 * (height / 4) * (width / 4) : encIn.outFeatures();
    }

    /** z [n, latent] (and y) to the logits of p(x | z), [n, d]. */
    NdArray decode(NdArray z, NdArray y) {
        NdArray in = y == null ? z : F.concat(1, z, y);
        if (conv) {
            NdArray h = F.relu(decIn.forward(in));
            h = F.reshape(h, z.dim(0), C2, height / 4, width / 4);
            h = deconv2.forward(F.relu(deconv1.forward(h)));
            return F.reshape(h, z.dim(0), d);
        }
        return decOut.forward(F.relu(decIn.forward(in)));
    }
}
