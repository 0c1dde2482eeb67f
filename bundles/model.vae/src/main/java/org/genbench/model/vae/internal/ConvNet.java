package org.genbench.model.vae.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DCGAN-style convolutional pair for small images (Radford et al. 2016), all 4x4 kernels with stride 2 and
 * padding 1, so each layer halves or doubles the side:
 * <pre>
 *   encoder  x [c, H, W] -> conv 32 -> relu -> conv 64 -> relu -> flatten, [., y] -> dense -> [mu, log var]
 *   decoder  [z, y] -> dense 64 (H/4)(W/4) -> relu -> deconv 32 -> relu -> deconv c -> logits [c, H, W]
 * </pre>
 * Convolutions are im2col and a matrix product (ND4J's {@link Convolution#im2col} and {@link Convolution#col2im});
 * a transposed convolution is the same pair the other way round, so each layer's backward pass is the other's
 * forward pass.
 */
final class ConvNet implements Net {
    static final String[] NAMES = {"encoder.conv1.w", "encoder.conv1.b", "encoder.conv2.w", "encoder.conv2.b",
        "encoder.dense.w", "encoder.dense.b", "decoder.dense.w", "decoder.dense.b",
        "decoder.deconv1.w", "decoder.deconv1.b", "decoder.deconv2.w", "decoder.deconv2.b"};
    static final int C1 = 32;
    static final int C2 = 64;
    private static final int K = 4;
    private final int c;
    private final int height;
    private final int width;
    private final int classes;
    private final int l;
    private final int flat;

    ConvNet(long[] sampleShape, int classes, int latent) {
        if (sampleShape.length != 3 || sampleShape[1] % 4 != 0 || sampleShape[2] % 4 != 0 || sampleShape[1] < 4
                || sampleShape[2] < 4) {
            throw new IllegalArgumentException("architecture 'conv' needs images shaped [channels, height, width] with"
                    + " height and width multiples of 4; the data has sample shape " + java.util.Arrays.toString(sampleShape));
        }
        this.c = (int) sampleShape[0];
        this.height = (int) sampleShape[1];
        this.width = (int) sampleShape[2];
        this.classes = classes;
        this.l = latent;
        this.flat = C2 * (height / 4) * (width / 4);
    }

    @Override
    public String[] names() {
        return NAMES.clone();
    }

    @Override
    public long[][] shapes() {
        return new long[][] {{(long) c * K * K, C1}, {C1}, {(long) C1 * K * K, C2}, {C2},
            {flat + classes, 2L * l}, {2L * l}, {l + classes, flat}, {flat},
            {(long) C1 * K * K, C2}, {C1}, {(long) c * K * K, C1}, {c}};
    }

    /** He: fan-in is kernel area times input channels; a stride-2 transposed conv sees a quarter of its kernel. */
    @Override
    public double initScale(int i) {
        return switch (i) {
            case 0 -> Math.sqrt(2.0 / (c * K * K));
            case 2 -> Math.sqrt(2.0 / (C1 * K * K));
            case 4 -> Math.sqrt(1.0 / (flat + classes));
            case 6 -> Math.sqrt(2.0 / (l + classes));
            case 8 -> Math.sqrt(2.0 / (C2 * K * K / 4.0));
            case 10 -> Math.sqrt(1.0 / (C1 * K * K / 4.0));
            default -> 0;
        };
    }

    @Override
    public Pass encode(INDArray[] p, INDArray x, INDArray y) {
        int n = (int) x.rows();
        INDArray x4 = x.reshape('c', n, c, height, width);
        INDArray col1 = im2col2d(x4);
        INDArray a1 = conv(col1, p[0], p[1], n, height / 2, width / 2);
        INDArray h1 = Transforms.relu(a1, true);
        INDArray col2 = im2col2d(h1);
        INDArray a2 = conv(col2, p[2], p[3], n, height / 4, width / 4);
        INDArray h2 = Transforms.relu(a2, true).reshape('c', n, flat);
        INDArray in = y == null ? h2 : Nd4j.hstack(h2, y);
        INDArray out = in.mmul(p[4]).addiRowVector(p[5]);
        return new Pass(out, new INDArray[] {col1, a1, col2, a2, in});
    }

    @Override
    public void encoderBackward(INDArray[] p, Pass pass, INDArray dOut, INDArray[] grads) {
        INDArray col1 = pass.cache()[0];
        INDArray a1 = pass.cache()[1];
        INDArray col2 = pass.cache()[2];
        INDArray a2 = pass.cache()[3];
        INDArray in = pass.cache()[4];
        int n = (int) dOut.rows();
        grads[4] = in.transpose().mmul(dOut);
        grads[5] = dOut.sum(0);
        INDArray dIn = dOut.mmul(p[4].transpose());
        INDArray dH2 = dIn.get(NDArrayIndex.all(), NDArrayIndex.interval(0, flat)).dup()
                .reshape('c', n, C2, height / 4, width / 4);
        INDArray dA2 = dH2.muli(a2.gt(0).castTo(DataType.FLOAT));
        INDArray dH1 = convBackward(dA2, col2, p[2], grads, 2, C1, height / 2, width / 2);
        INDArray dA1 = dH1.muli(a1.gt(0).castTo(DataType.FLOAT));
        convBackward(dA1, col1, p[0], grads, 0, c, height, width);
    }

    @Override
    public Pass decode(INDArray[] p, INDArray z, INDArray y) {
        int n = (int) z.rows();
        INDArray zin = y == null ? z : Nd4j.hstack(z, y);
        INDArray a3 = zin.mmul(p[6]).addiRowVector(p[7]);
        INDArray h3 = Transforms.relu(a3, true).reshape('c', n, C2, height / 4, width / 4);
        INDArray in1 = channelsLast(h3);
        INDArray a4 = deconv(in1, p[8], p[9], n, C1, height / 4, width / 4);
        INDArray h4 = Transforms.relu(a4, true);
        INDArray in2 = channelsLast(h4);
        INDArray logits = deconv(in2, p[10], p[11], n, c, height / 2, width / 2).reshape('c', n, (long) c * height * width);
        return new Pass(logits, new INDArray[] {zin, a3, in1, a4, in2});
    }

    @Override
    public INDArray decoderBackward(INDArray[] p, Pass pass, INDArray dLogits, INDArray[] grads) {
        INDArray zin = pass.cache()[0];
        INDArray a3 = pass.cache()[1];
        INDArray in1 = pass.cache()[2];
        INDArray a4 = pass.cache()[3];
        INDArray in2 = pass.cache()[4];
        int n = (int) dLogits.rows();
        INDArray dOut = dLogits.reshape('c', n, c, height, width);
        INDArray dIn2 = deconvBackward(dOut, in2, p[10], grads, 10);
        INDArray dA4 = fromChannelsLast(dIn2, n, C1, height / 2, width / 2).muli(a4.gt(0).castTo(DataType.FLOAT));
        INDArray dIn1 = deconvBackward(dA4, in1, p[8], grads, 8);
        INDArray dA3 = fromChannelsLast(dIn1, n, C2, height / 4, width / 4).reshape('c', n, flat)
                .muli(a3.gt(0).castTo(DataType.FLOAT));
        grads[6] = zin.transpose().mmul(dA3);
        grads[7] = dA3.sum(0);
        return dA3.mmul(p[6].transpose()).get(NDArrayIndex.all(), NDArrayIndex.interval(0, l)).dup();
    }

    // ---- layers

    /** Patches of x4 {@code [n, C, h, w]} as rows {@code [n * oh * ow, C * K * K]} (channel-major within a row). */
    private static INDArray im2col2d(INDArray x4) {
        long n = x4.size(0);
        long ch = x4.size(1);
        INDArray col = Convolution.im2col(x4, K, K, 2, 2, 1, 1, false); // [n, C, K, K, oh, ow]
        long oh = col.size(4);
        long ow = col.size(5);
        return col.permute(0, 4, 5, 1, 2, 3).dup('c').reshape('c', n * oh * ow, ch * K * K);
    }

    /** Rows of patches times the kernel, plus bias, as {@code [n, O, oh, ow]}. */
    private static INDArray conv(INDArray col2d, INDArray w, INDArray b, int n, int oh, int ow) {
        INDArray out2d = col2d.mmul(w).addiRowVector(b);
        return out2d.reshape('c', n, oh, ow, w.size(1)).permute(0, 3, 1, 2).dup('c');
    }

    /** Sets grads[i] (kernel) and grads[i + 1] (bias); returns d loss / d input {@code [n, C, h, w]}. */
    private static INDArray convBackward(INDArray dOut4, INDArray col2d, INDArray w, INDArray[] grads, int i,
                                         int ch, int h, int wd) {
        long n = dOut4.size(0);
        long oh = dOut4.size(2);
        long ow = dOut4.size(3);
        INDArray dOut2d = channelsLast(dOut4);
        grads[i] = col2d.transpose().mmul(dOut2d);
        grads[i + 1] = dOut2d.sum(0);
        INDArray dCol = dOut2d.mmul(w.transpose()).reshape('c', n, oh, ow, ch, K, K).permute(0, 3, 4, 5, 1, 2).dup('c');
        return Convolution.col2im(dCol, 2, 2, 1, 1, h, wd);
    }

    /**
     * The transposed convolution of {@code in2d} ({@code [n * h * w, C]}, channels last) with kernel {@code w}
     * ({@code [O * K * K, C]}): each input pixel spreads its kernel-weighted values over a 4x4 patch of the doubled
     * output, overlaps summed (col2im), plus a bias per output channel: {@code [n, O, 2h, 2w]}.
     */
    private static INDArray deconv(INDArray in2d, INDArray w, INDArray b, int n, int out, int h, int wd) {
        INDArray col = in2d.mmul(w.transpose()).reshape('c', n, h, wd, out, K, K).permute(0, 3, 4, 5, 1, 2).dup('c');
        INDArray y = Convolution.col2im(col, 2, 2, 1, 1, 2 * h, 2 * wd);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(y, b, y, 1));
        return y;
    }

    /** Sets grads[i] and grads[i + 1]; returns d loss / d in2d {@code [n * h * w, C]}. */
    private static INDArray deconvBackward(INDArray dOut4, INDArray in2d, INDArray w, INDArray[] grads, int i) {
        INDArray dCol2d = im2col2d(dOut4); // [n * h * w, O * K * K]
        grads[i] = dCol2d.transpose().mmul(in2d);
        grads[i + 1] = dOut4.sum(0, 2, 3);
        return dCol2d.mmul(w);
    }

    /** {@code [n, C, h, w]} as rows {@code [n * h * w, C]}. */
    private static INDArray channelsLast(INDArray x4) {
        return x4.permute(0, 2, 3, 1).dup('c').reshape('c', x4.size(0) * x4.size(2) * x4.size(3), x4.size(1));
    }

    private static INDArray fromChannelsLast(INDArray rows, int n, int ch, int h, int w) {
        return rows.reshape('c', n, h, w, ch).permute(0, 3, 1, 2).dup('c');
    }
}
