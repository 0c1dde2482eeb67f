package org.genbench.model.vae.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder and decoder of a VAE as plain functions of parameter arrays, with their backward passes written out:
 * the model owns the parameters, the Adam state, the likelihood and the KL term; a net only maps and differentiates.
 */
interface Net {
    /** A forward pass's output and what its backward pass needs. */
    record Pass(INDArray out, INDArray[] cache) {
    }

    String[] names();

    long[][] shapes();

    /** Standard deviation of the initial weights of parameter {@code i} (He et al. 2015); 0 for biases. */
    double initScale(int i);

    /** [x, y] to [mu, log var] as {@code [n, 2 l]}; y is one-hot or null. */
    Pass encode(INDArray[] p, INDArray x, INDArray y);

    /** Adds d loss / d encoder parameters into {@code grads} from d loss / d out. */
    void encoderBackward(INDArray[] p, Pass pass, INDArray dOut, INDArray[] grads);

    /** [z, y] to the logits {@code [n, d]}. */
    Pass decode(INDArray[] p, INDArray z, INDArray y);

    /** Sets the decoder's gradients in {@code grads} and returns d loss / d z. */
    INDArray decoderBackward(INDArray[] p, Pass pass, INDArray dLogits, INDArray[] grads);
}
