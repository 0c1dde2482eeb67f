package org.genbench.model.gan.internal;

import org.genbench.api.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The few layers a GAN needs, each with its forward pass and its explicit backward pass on plain ND4J arrays:
 * sgemm, libnd4j's {@code im2col}/{@code col2im} and {@code lrelu_bp}. Explicit gradients instead of DL4J layers or
 * SameDiff keep the saved state free of class names (a checkpoint is arrays and JSON numbers, so it loads through
 * any class loader) and keep every step a short, predictable sequence of native ops. Parameters are views into one
 * flat vector per network, so the optimizer runs once over the whole vector.
 */
final class Layers {
    private Layers() {
    }

    /** One layer: caches what its backward pass needs during {@link #forward}. */
    abstract static class Layer {
        long numParams() {
            return 0;
        }

        /** Points the layer's weights and gradients at slices of its network's flat vectors. */
        void bind(INDArray params, INDArray grads, long offset) {
        }

        /** Draws initial weights from {@code rng}. */
        void init(INDArray params, long offset, Rng rng) {
        }

        abstract INDArray forward(INDArray x);

        /**
         * Given dLoss/dOutput, writes dLoss/dParameters into the bound gradient views when {@code paramGrads}, and
         * returns dLoss/dInput when {@code inputGrad} (else may return null).
         */
        abstract INDArray backward(INDArray gradOut, boolean paramGrads, boolean inputGrad);
    }

    /** A view of {@code count} elements of {@code flat} from {@code offset}, shaped {@code shape}, C order. */
    static INDArray view(INDArray flat, long offset, long... shape) {
        return Nd4j.create(flat.data(), shape, Nd4j.getStrides(shape, 'c'), offset, 'c', flat.dataType());
    }

    static void fillGaussian(INDArray target, double std, Rng rng) {
        // From the model's own Rng, not ND4J's global generator: the same seed gives the same network.
        float[] values = new float[(int) target.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (rng.nextGaussian() * std);
        }
        target.assign(Nd4j.createFromArray(values).reshape(target.shape()).castTo(target.dataType()));
    }

    /** x W + b, with W {@code [in, out]}. */
    static final class Dense extends Layer {
        final int in;
        final int out;
        final double initStd;
        private INDArray w;
        private INDArray b;
        private INDArray gw;
        private INDArray gb;
        private INDArray input;

        Dense(int in, int out, double initStd) {
            this.in = in;
            this.out = out;
            this.initStd = initStd;
        }

        @Override
        long numParams() {
            return (long) in * out + out;
        }

        @Override
        void bind(INDArray params, INDArray grads, long offset) {
            w = view(params, offset, in, out);
            b = view(params, offset + (long) in * out, 1, out);
            gw = view(grads, offset, in, out);
            gb = view(grads, offset + (long) in * out, 1, out);
        }

        @Override
        void init(INDArray params, long offset, Rng rng) {
            fillGaussian(view(params, offset, in, out), initStd, rng);
            view(params, offset + (long) in * out, out).assign(0);
        }

        @Override
        INDArray forward(INDArray x) {
            input = x;
            INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), out);
            Nd4j.gemm(x, w, y, false, false, 1.0, 0.0);
            return y.addiRowVector(b);
        }

        @Override
        INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
            if (paramGrads) {
                Nd4j.gemm(input, g, gw, true, false, 1.0, 0.0);
                gb.assign(g.sum(true, 0));
            }
            if (!inputGrad) {
                return null;
            }
            INDArray gx = Nd4j.createUninitialized(g.dataType(), g.size(0), in);
            Nd4j.gemm(g, w, gx, false, true, 1.0, 0.0);
            return gx;
        }
    }

    /**
     * 2-D convolution, NCHW, square kernel, stride and padding, as PyTorch's {@code Conv2d} (weights
     * {@code [out, in, k, k]}); or its transpose ({@code transposed}, PyTorch's {@code ConvTranspose2d}, weights
     * {@code [in, out, k, k]}) that upsamples by the stride, as in DCGAN's generator.
     *
     * <p>Written as im2col plus one matrix product per example rather than libnd4j's {@code conv2d}/{@code deconv2d}
     * ops, which on the DCGAN's shapes spend several times the arithmetic on moving their buffers around (D's second
     * layer at batch 128, one thread: 58 ms forward and 264 ms backward with them, 52 and 75 ms here). The batch is
     * moved into the columns ({@link #batchToColumns}) so that each product is one large sgemm: per-example products
     * of {@code oH*oW} = 49 columns ran BLAS at a quarter of its speed.
     */
    static final class Conv extends Layer {
        final int in;
        final int out;
        final int kernel;
        final int stride;
        final int pad;
        final boolean transposed;
        final double initStd;
        private INDArray w;
        private INDArray b;
        private INDArray gw;
        private INDArray gb;
        private INDArray input;
        /**
         * What the weight gradient needs from forward, batch joined into columns: the im2col of the input
         * ([C*k*k, B*oH*oW]) for a convolution, the input itself ([in, B*H*W]) for a transposed one.
         */
        private INDArray cols;

        Conv(int in, int out, int kernel, int stride, int pad, boolean transposed, double initStd) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.stride = stride;
            this.pad = pad;
            this.transposed = transposed;
            this.initStd = initStd;
        }

        long outSize(long size) {
            return transposed ? stride * (size - 1) + kernel - 2L * pad : (size + 2L * pad - kernel) / stride + 1;
        }

        /** The weights as a matrix: {@code [out, in*k*k]} for a convolution, {@code [in, out*k*k]} transposed. */
        private long[] weightShape() {
            long kk = (long) kernel * kernel;
            return transposed ? new long[] {in, out * kk} : new long[] {out, in * kk};
        }

        @Override
        long numParams() {
            return (long) kernel * kernel * in * out + out;
        }

        @Override
        void bind(INDArray params, INDArray grads, long offset) {
            long nw = (long) kernel * kernel * in * out;
            w = view(params, offset, weightShape());
            b = view(params, offset + nw, out);
            gw = view(grads, offset, weightShape());
            gb = view(grads, offset + nw, out);
        }

        @Override
        void init(INDArray params, long offset, Rng rng) {
            long nw = (long) kernel * kernel * in * out;
            fillGaussian(view(params, offset, weightShape()), initStd, rng);
            view(params, offset + nw, out).assign(0);
        }

        /** im2col of {@code x} [B, C, H, W]: [B, C, k, k, oH, oW], oH and oW as this layer's forward convolution. */
        private INDArray im2col(INDArray x) {
            long oh = (x.size(2) + 2L * pad - kernel) / stride + 1;
            long ow = (x.size(3) + 2L * pad - kernel) / stride + 1;
            INDArray c = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1), kernel, kernel, oh, ow);
            Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(x).addOutputs(c)
                    .addIntegerArguments(kernel, kernel, stride, stride, pad, pad, 1, 1, 0)
                    .addFloatingPointArguments(0.0).build());
            return c;
        }

        /** The sum back onto the image of columns [B, C, k, k, oH, oW]: [B, C, h, w]. */
        private INDArray col2im(INDArray c, long h, long wd) {
            INDArray img = Nd4j.createUninitialized(c.dataType(), c.size(0), c.size(1), h, wd);
            Nd4j.exec(DynamicCustomOp.builder("col2im").addInputs(c).addOutputs(img)
                    .addIntegerArguments(stride, stride, pad, pad, (int) h, (int) wd, 1, 1, 0).build());
            return img;
        }

        /**
         * [B, R, P] (C order) as [R, B*P]: the batch joins the columns, so one large sgemm replaces B small ones
         * (whose P = oH*oW columns, 49 on D's second layer, leave BLAS at a fraction of its speed). Assigning into a
         * permuted view is ND4J's fast path for this copy (0.5 ms for 800K floats, where dup of a permuted 6-d im2col
         * buffer took 60 ms).
         */
        private static INDArray batchToColumns(INDArray a, long batch, long rows, long p) {
            INDArray t = Nd4j.createUninitialized(a.dataType(), rows, batch, p);
            t.permute(1, 0, 2).assign(a.reshape('c', batch, rows, p));
            return t.reshape('c', rows, batch * p);
        }

        /** The inverse of {@link #batchToColumns}: [R, B*P] as [B, R, P]. */
        private static INDArray columnsToBatch(INDArray t, long batch, long rows, long p) {
            INDArray a = Nd4j.createUninitialized(t.dataType(), batch, rows, p);
            a.permute(1, 0, 2).assign(t.reshape('c', rows, batch, p));
            return a;
        }

        private void addBias(INDArray y) {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp(y, b, y, 1));
        }

        private static INDArray gemm(INDArray a, INDArray b, boolean transA, boolean transB) {
            long m = transA ? a.size(1) : a.size(0);
            long n = transB ? b.size(0) : b.size(1);
            INDArray c = Nd4j.createUninitialized(a.dataType(), m, n);
            Nd4j.gemm(a, b, c, transA, transB, 1.0, 0.0);
            return c;
        }

        @Override
        INDArray forward(INDArray x) {
            input = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
            long batch = x.size(0);
            long kk = (long) kernel * kernel;
            if (!transposed) {
                INDArray c = im2col(input);
                long oh = c.size(4);
                long ow = c.size(5);
                long p = oh * ow;
                cols = batchToColumns(c, batch, in * kk, p); // [C*k*k, B*P]
                INDArray y = columnsToBatch(gemm(w, cols, false, false), batch, out, p).reshape('c', batch, out, oh, ow);
                addBias(y);
                return y;
            }
            long h = x.size(2);
            long wd = x.size(3);
            long p = h * wd;
            cols = batchToColumns(input, batch, in, p); // the input as [I, B*P], kept for the weight gradient
            INDArray c = columnsToBatch(gemm(w, cols, true, false), batch, out * kk, p)
                    .reshape('c', batch, out, kernel, kernel, h, wd);
            INDArray y = col2im(c, outSize(h), outSize(wd));
            addBias(y);
            return y;
        }

        @Override
        INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
            INDArray go = g.isView() || g.ordering() != 'c' ? g.dup('c') : g;
            long batch = go.size(0);
            long kk = (long) kernel * kernel;
            if (paramGrads) {
                gb.assign(go.sum(0, 2, 3));
            }
            if (!transposed) {
                long p = go.size(2) * go.size(3);
                INDArray gt = batchToColumns(go, batch, out, p); // [O, B*P]
                if (paramGrads) {
                    Nd4j.gemm(gt, cols, gw, false, true, 1.0, 0.0);
                }
                if (!inputGrad) {
                    return null;
                }
                INDArray gc = columnsToBatch(gemm(w, gt, true, false), batch, in * kk, p)
                        .reshape('c', batch, in, kernel, kernel, go.size(2), go.size(3));
                return col2im(gc, input.size(2), input.size(3));
            }
            long p = input.size(2) * input.size(3);
            INDArray gc = batchToColumns(im2col(go), batch, out * kk, p); // [O*k*k, B*P]
            if (paramGrads) {
                Nd4j.gemm(cols, gc, gw, false, true, 1.0, 0.0);
            }
            if (!inputGrad) {
                return null;
            }
            return columnsToBatch(gemm(w, gc, false, false), batch, in, p).reshape('c', input.shape());
        }
    }

    /** Leaky ReLU with slope {@code alpha} below zero (0: ReLU). */
    static final class LeakyRelu extends Layer {
        final double alpha;
        private INDArray input;

        LeakyRelu(double alpha) {
            this.alpha = alpha;
        }

        @Override
        INDArray forward(INDArray x) {
            input = x;
            return Transforms.leakyRelu(x, alpha, true);
        }

        @Override
        INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
            if (!inputGrad) {
                return null;
            }
            INDArray gx = Nd4j.createUninitialized(g.dataType(), g.shape());
            Nd4j.exec(DynamicCustomOp.builder("lrelu_bp").addInputs(input, g).addOutputs(gx)
                    .addFloatingPointArguments(alpha).build());
            return gx;
        }
    }

    /**
     * The generator's last activation, fixing the range of its samples: {@code linear} (unbounded, for real vectors),
     * {@code unit} ((tanh + 1) / 2 in [0, 1], for pixel intensities) or {@code symmetric} (tanh, in [-1, 1]).
     */
    static final class Output extends Layer {
        final String kind;
        private INDArray tanh;

        Output(String kind) {
            this.kind = kind;
        }

        @Override
        INDArray forward(INDArray x) {
            if (kind.equals(GanFamily.LINEAR)) {
                return x;
            }
            tanh = Transforms.tanh(x, true);
            if (kind.equals(GanFamily.SYMMETRIC)) {
                return tanh;
            }
            return tanh.add(1.0).muli(0.5);
        }

        @Override
        INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
            if (!inputGrad) {
                return null;
            }
            if (kind.equals(GanFamily.LINEAR)) {
                return g;
            }
            // d tanh = 1 - tanh^2, halved for the unit range
            INDArray d = tanh.mul(tanh).rsubi(1.0);
            if (kind.equals(GanFamily.UNIT)) {
                d.muli(0.5);
            }
            return d.muli(g);
        }
    }

    /** Reshapes each row to {@code shape} (and gradients back); no parameters. */
    static final class Reshape extends Layer {
        final long[] shape;
        private long[] inputShape;

        Reshape(long... shape) {
            this.shape = shape.clone();
        }

        @Override
        INDArray forward(INDArray x) {
            inputShape = x.shape();
            long[] s = new long[shape.length + 1];
            s[0] = x.size(0);
            System.arraycopy(shape, 0, s, 1, shape.length);
            return x.reshape('c', s);
        }

        @Override
        INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
            return inputGrad ? g.reshape('c', inputShape) : null;
        }
    }
}
