package org.genbench.model.vae.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One hidden ReLU layer each way: h1 = relu([x, y] W1 + b1), [mu, log var] = h1 W2 + b2; h2 = relu([z, y] W3 + b3),
 * logits = h2 W4 + b4.
 */
final class MlpNet implements Net {
    static final String[] NAMES = {"encoder.w1", "encoder.b1", "encoder.w2", "encoder.b2",
        "decoder.w3", "decoder.b3", "decoder.w4", "decoder.b4"};
    private final int d;
    private final int classes;
    private final int h;
    private final int l;

    MlpNet(int d, int classes, int hidden, int latent) {
        this.d = d;
        this.classes = classes;
        this.h = hidden;
        this.l = latent;
    }

    @Override
    public String[] names() {
        return NAMES.clone();
    }

    @Override
    public long[][] shapes() {
        return new long[][] {{d + classes, h}, {h}, {h, 2L * l}, {2L * l}, {l + classes, h}, {h}, {h, d}, {d}};
    }

    @Override
    public double initScale(int i) {
        long[] s = shapes()[i];
        return s.length == 2 ? Math.sqrt(2.0 / s[0]) : 0;
    }

    @Override
    public Pass encode(INDArray[] p, INDArray x, INDArray y) {
        INDArray in = y == null ? x : Nd4j.hstack(x, y);
        INDArray a1 = in.mmul(p[0]).addiRowVector(p[1]);
        INDArray h1 = Transforms.relu(a1, true);
        return new Pass(h1.mmul(p[2]).addiRowVector(p[3]), new INDArray[] {in, a1, h1});
    }

    @Override
    public void encoderBackward(INDArray[] p, Pass pass, INDArray dOut, INDArray[] grads) {
        INDArray in = pass.cache()[0];
        INDArray a1 = pass.cache()[1];
        INDArray h1 = pass.cache()[2];
        grads[2] = h1.transpose().mmul(dOut);
        grads[3] = dOut.sum(0);
        INDArray dA1 = dOut.mmul(p[2].transpose()).muli(a1.gt(0).castTo(DataType.FLOAT));
        grads[0] = in.transpose().mmul(dA1);
        grads[1] = dA1.sum(0);
    }

    @Override
    public Pass decode(INDArray[] p, INDArray z, INDArray y) {
        INDArray zin = y == null ? z : Nd4j.hstack(z, y);
        INDArray a2 = zin.mmul(p[4]).addiRowVector(p[5]);
        INDArray h2 = Transforms.relu(a2, true);
        return new Pass(h2.mmul(p[6]).addiRowVector(p[7]), new INDArray[] {zin, a2, h2});
    }

    @Override
    public INDArray decoderBackward(INDArray[] p, Pass pass, INDArray dLogits, INDArray[] grads) {
        INDArray zin = pass.cache()[0];
        INDArray a2 = pass.cache()[1];
        INDArray h2 = pass.cache()[2];
        grads[6] = h2.transpose().mmul(dLogits);
        grads[7] = dLogits.sum(0);
        INDArray dA2 = dLogits.mmul(p[6].transpose()).muli(a2.gt(0).castTo(DataType.FLOAT));
        grads[4] = zin.transpose().mmul(dA2);
        grads[5] = dA2.sum(0);
        return dA2.mmul(p[4].transpose()).get(NDArrayIndex.all(), NDArrayIndex.interval(0, l)).dup();
    }
}
