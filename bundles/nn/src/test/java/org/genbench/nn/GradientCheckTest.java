package org.genbench.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.genbench.api.Rng;
import org.genbench.nn.check.GradCheck;
import org.genbench.nn.internal.Debug;
import org.genbench.nn.modules.ActNorm;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.BatchNorm;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.ConvTranspose2d;
import org.genbench.nn.modules.GroupNorm;
import org.genbench.nn.modules.LayerNorm;
import org.genbench.nn.modules.Linear;
import org.genbench.nn.modules.MaskedConv2d;
import org.genbench.nn.modules.MaskedLinear;
import org.genbench.nn.modules.ResidualBlock;
import org.genbench.nn.modules.TimeEmbedding;
import org.genbench.nn.modules.TimeMlp;
import org.genbench.nn.modules.UNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Float64 finite-difference checks of every op's and every module's backward pass, in the parameters and the inputs,
 * along several random directions each; and proof that the check fails when a backward pass is wrong by 0.1%.
 */
class GradientCheckTest {
    private static final DType D = DType.F64;
    private static final double TOL = 1e-6;
    private static final double H = 1e-5;

    /**
     * A smooth random scalar of y (a random linear form plus a small square, which does not saturate), so every
     * output element's gradient is exercised with a different weight.
     */
    static NdArray project(NdArray y, long seed) {
        NdArray w = NdArray.randn(new Rng(seed), y.dtype(), 1.0, y.shape());
        return F.add(F.sum(F.mul(y, w)), F.mul(F.sum(F.square(y)), 0.05));
    }

    static NdArray randn(long seed, int... shape) {
        return NdArray.wrap(NdArray.randn(new Rng(seed), D, 1.0, shape).toDoubleArray(), shape);
    }

    static void check(Map<String, NdArray> params, List<NdArray> inputs, Function<List<NdArray>, NdArray> f) {
        List<GradCheck.Result> r = GradCheck.check(params, inputs, in -> project(f.apply(in), 99), 4, H, 7);
        GradCheck.assertClose(r, TOL);
    }

    static void checkOp(Function<List<NdArray>, NdArray> f, NdArray... inputs) {
        check(Map.of(), List.of(inputs), f);
    }

    @Test
    void elementwiseAndBroadcasting() {
        NdArray a = randn(1, 3, 4);
        NdArray b = randn(2, 4);
        NdArray c = randn(3, 3, 1);
        NdArray pos = NdArray.wrap(new double[] {0.5, 1.5, 2.0, 3.0, 0.7, 1.1}, 2, 3);
        checkOp(in -> F.add(in.get(0), in.get(1)), a, b);
        checkOp(in -> F.sub(in.get(0), in.get(1)), a, c);
        checkOp(in -> F.mul(in.get(0), in.get(1)), c, b);
        checkOp(in -> F.div(in.get(0), F.add(F.square(in.get(1)), 1.0)), a, b);
        checkOp(in -> F.add(F.mul(in.get(0), 3.0), 2.0), a);
        checkOp(in -> F.rsub(1.0, in.get(0)), a);
        checkOp(in -> F.exp(in.get(0)), a);
        checkOp(in -> F.log(in.get(0)), pos);
        checkOp(in -> F.log1p(in.get(0)), pos);
        checkOp(in -> F.sqrt(in.get(0)), pos);
        checkOp(in -> F.pow(in.get(0), 1.7), pos);
        checkOp(in -> F.abs(in.get(0)), a);
        checkOp(in -> F.sin(in.get(0)), a);
        checkOp(in -> F.cos(in.get(0)), a);
        checkOp(in -> F.clamp(in.get(0), -0.5, 0.5), a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RELU", "LEAKY_RELU", "SILU", "ELU", "TANH", "SIGMOID", "SOFTPLUS"})
    void activations(String name) {
        // values away from 0, where relu-like activations have no derivative
        NdArray x = randn(4, 5, 6);
        for (int i = 0; i < x.size(); i++) {
            double v = x.getFlat(i);
            x.setFlat(i, Math.abs(v) < 0.05 ? v + 0.2 : v);
        }
        checkOp(in -> Activation.valueOf(name).forward(in.get(0)), x);
        checkOp(in -> F.logSigmoid(in.get(0)), x);
    }

    @Test
    void reductionsAndShapes() {
        NdArray x = randn(5, 2, 3, 4);
        checkOp(in -> F.sum(in.get(0), 1, false), x);
        checkOp(in -> F.mean(in.get(0), -1, true), x);
        checkOp(in -> F.sumTo(in.get(0), 1, 3, 1), x);
        checkOp(in -> F.broadcastTo(F.reshape(in.get(0), 2, 1, 12), 2, 5, 12), x);
        checkOp(in -> F.logSumExp(in.get(0), 1, false), x);
        checkOp(in -> F.logSoftmax(in.get(0), 2), x);
        checkOp(in -> F.softmax(in.get(0), 0), x);
        checkOp(in -> F.permute(in.get(0), 2, 0, 1), x);
        checkOp(in -> F.transpose(F.reshape(in.get(0), 6, 4)), x);
        checkOp(in -> F.flatten(in.get(0), 1), x);
        checkOp(in -> F.concat(1, in.get(0), F.mul(in.get(0), 2.0)), x);
        checkOp(in -> F.narrow(in.get(0), 2, 1, 2), x);
        checkOp(in -> F.mean(in.get(0)), x);
        checkOp(in -> F.pick(F.reshape(in.get(0), 6, 4), new int[] {0, 3, 2, 2, 1, 0}), x);
        checkOp(in -> F.embedding(in.get(0), new int[] {1, 0, 1, 1}), randn(6, 2, 5));
    }

    @Test
    void products() {
        NdArray a = randn(7, 3, 4);
        NdArray b = randn(8, 4, 5);
        NdArray bt = randn(9, 5, 4);
        NdArray at = randn(10, 4, 3);
        checkOp(in -> F.matmul(in.get(0), in.get(1)), a, b);
        checkOp(in -> F.matmul(in.get(0), in.get(1), false, true), a, bt);
        checkOp(in -> F.matmul(in.get(0), in.get(1), true, false), at, b);
        checkOp(in -> F.matmul(in.get(0), in.get(1), true, true), at, bt);
        checkOp(in -> F.matmul(in.get(0), in.get(1)), randn(11, 2, 3, 4), randn(12, 2, 4, 2));
        Linear lin = new Linear(4, 3, D, new Rng(3));
        check(lin.parameters(), List.of(randn(13, 5, 4)), in -> lin.forward(in.get(0)));
        check(lin.parameters(), List.of(randn(14, 2, 3, 4)), in -> lin.forward(in.get(0)));
        MaskedLinear masked = new MaskedLinear(4, 3, true, D, new Rng(4));
        masked.setMask(NdArray.wrap(new double[] {1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0}, 3, 4));
        check(masked.parameters(), List.of(randn(15, 5, 4)), in -> masked.forward(in.get(0)));
        org.genbench.nn.modules.Made made = new org.genbench.nn.modules.Made(4, new int[] {6, 5}, 2, Activation.TANH, D,
                new Rng(5));
        made.resample(new Rng(6));
        check(made.parameters(), List.of(randn(16, 3, 4)), in -> made.forward(in.get(0)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void convolutions(int stride) {
        Rng rng = new Rng(5);
        Conv2d conv = new Conv2d(3, 4, 3, stride, 1, true, D, rng);
        check(conv.parameters(), List.of(randn(16, 2, 3, 7, 6)), in -> conv.forward(in.get(0)));
        Conv2d noPad = new Conv2d(2, 3, 4, stride, 0, false, D, rng);
        check(noPad.parameters(), List.of(randn(17, 2, 2, 8, 8)), in -> noPad.forward(in.get(0)));
        ConvTranspose2d up = new ConvTranspose2d(3, 2, 4, stride, 1, 0, true, D, rng);
        check(up.parameters(), List.of(randn(18, 2, 3, 4, 5)), in -> up.forward(in.get(0)));
        ConvTranspose2d upPad = new ConvTranspose2d(2, 2, 3, stride, 1, stride - 1, true, D, rng);
        check(upPad.parameters(), List.of(randn(19, 1, 2, 3, 3)), in -> upPad.forward(in.get(0)));
        for (MaskedConv2d.Type t : MaskedConv2d.Type.values()) {
            MaskedConv2d m = new MaskedConv2d(3, 6, 3, t, 3, true, D, rng);
            check(m.parameters(), List.of(randn(20, 2, 3, 5, 5)), in -> m.forward(in.get(0)));
        }
    }

    @Test
    void resampling() {
        NdArray x = randn(21, 2, 3, 4, 6);
        checkOp(in -> Conv.avgPool2d(in.get(0), 2), x);
        checkOp(in -> Conv.upsampleNearest2d(in.get(0), 2), x);
        checkOp(in -> Conv.squeeze2d(in.get(0)), x);
        checkOp(in -> Conv.unsqueeze2d(in.get(0)), randn(22, 2, 4, 3, 3));
    }

    @Test
    void normalizations() {
        NdArray x = randn(23, 4, 6, 3, 2);
        BatchNorm bn = new BatchNorm(6, D);
        check(bn.parameters(), List.of(x), in -> bn.forward(in.get(0)));
        bn.train(false);
        check(bn.parameters(), List.of(x), in -> bn.forward(in.get(0)));
        BatchNorm bn1 = new BatchNorm(5, D);
        check(bn1.parameters(), List.of(randn(24, 7, 5)), in -> bn1.forward(in.get(0)));
        GroupNorm gn = new GroupNorm(3, 6, D);
        perturbAffine(gn);
        check(gn.parameters(), List.of(x), in -> gn.forward(in.get(0)));
        LayerNorm ln = new LayerNorm(5, D);
        perturbAffine(ln);
        check(ln.parameters(), List.of(randn(25, 3, 4, 5)), in -> ln.forward(in.get(0)));
        ActNorm an = new ActNorm(6, D);
        check(an.parameters(), List.of(x), in -> F.add(an.forward(in.get(0)), an.logDet(in.get(0))));
    }

    /** Moves gamma and beta off 1 and 0 so that their gradients are not special cases. */
    private static void perturbAffine(Module m) {
        Rng rng = new Rng(77);
        m.parameters().values().forEach(p -> {
            for (int i = 0; i < p.size(); i++) {
                p.setFlat(i, p.getFlat(i) + 0.3 * rng.nextGaussian());
            }
        });
    }

    @Test
    void blocksEmbeddingsAndUNet() {
        Rng rng = new Rng(6);
        ResidualBlock rb = new ResidualBlock(4, 16, 8, "group", Activation.SILU, 0, D, rng);
        perturbAffine(rb);
        NdArray temb = randn(26, 2, 8);
        check(rb.parameters(), List.of(randn(27, 2, 4, 4, 4)), in -> rb.forward(in.get(0), temb, null));
        ResidualBlock plain = new ResidualBlock(3, 3, 0, "batch", Activation.RELU, 0, D, rng);
        check(plain.parameters(), List.of(randn(28, 3, 3, 4, 4)), in -> plain.forward(in.get(0)));
        TimeEmbedding te = new TimeEmbedding(8, 6, D, rng);
        NdArray t = NdArray.wrap(new double[] {0, 3, 17, 250}, 4);
        check(te.parameters(), List.of(), in -> te.forward(t));
        TimeMlp mlp = new TimeMlp(new TimeMlp.Config(2, 6, 2, 4, 0), Activation.SILU, D, rng);
        NdArray tm = NdArray.wrap(new double[] {1, 7, 300}, 3);
        check(mlp.parameters(), List.of(randn(31, 3, 2)), in -> mlp.forward(in.get(0), tm, null));
        TimeMlp cmlp = new TimeMlp(new TimeMlp.Config(3, 5, 1, 6, 4), Activation.SILU, D, rng);
        perturbAffine(cmlp);
        check(cmlp.parameters(), List.of(randn(32, 3, 3)), in -> cmlp.forward(in.get(0), tm, new int[] {3, -1, 0}));
        UNet unet = new UNet(new UNet.Config(1, 8, new int[] {1, 2}, 1, 3, 0), D, rng);
        NdArray ts = NdArray.wrap(new double[] {5, 40}, 2);
        check(unet.parameters(), List.of(randn(29, 2, 1, 4, 4)), in -> unet.forward(in.get(0), ts, new int[] {2, -1}, null));
    }

    @Test
    void losses() {
        NdArray logits = randn(30, 4, 6);
        NdArray target = NdArray.wrap(new double[24], 4, 6);
        for (int i = 0; i < 24; i++) {
            target.setFlat(i, i % 3 == 0 ? 1 : i % 3 == 1 ? 0 : 0.3);
        }
        checkOp(in -> Losses.bernoulliLogLik(in.get(0), in.get(1)), logits, target);
        checkOp(in -> Losses.bceWithLogits(in.get(0), target), logits);
        checkOp(in -> Losses.gaussianLogLik(in.get(0), in.get(1), in.get(2)), randn(31, 3, 5), randn(32, 3, 5), randn(33, 3, 5));
        checkOp(in -> Losses.gaussianLogLik(in.get(0), in.get(1), 0.7), randn(34, 3, 5), randn(35, 3, 5));
        checkOp(in -> Losses.gaussianKl(in.get(0), in.get(1)), randn(36, 3, 4), randn(37, 3, 4));
        checkOp(in -> Losses.categoricalLogLik(in.get(0), new int[][] {{0, 2, 1}, {3, 3, 0}}), randn(38, 2, 4, 3));
        checkOp(in -> Losses.crossEntropy(in.get(0), new int[] {1, 0, 2}), randn(39, 3, 3));
        checkOp(in -> Losses.mse(in.get(0), in.get(1)), randn(40, 3, 4), randn(41, 3, 4));
        // discretized logistic: x on the 8-bit grid in [-1, 1], including both edge bins
        NdArray x = NdArray.wrap(new double[] {-1, 1, -1 + 2.0 * 37 / 255, 2.0 * 200 / 255 - 1, -1 + 2.0 * 128 / 255, 1}, 2, 3);
        checkOp(in -> Losses.discretizedLogisticLogLik(x, in.get(0), in.get(1), 256),
                randn(42, 2, 3), F.mul(randn(43, 2, 3), 0.3));
    }

    @Test
    void aWholeModelLikeAVaeStep() {
        Rng rng = new Rng(8);
        Linear enc = new Linear(6, 4, D, rng);
        Linear dec = new Linear(2, 6, D, rng);
        NdArray x = NdArray.wrap(new double[] {1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0}, 2, 6);
        NdArray eps = randn(44, 2, 2);
        Map<String, NdArray> params = new java.util.LinkedHashMap<>();
        enc.parameters().forEach((k, v) -> params.put("enc." + k, v));
        dec.parameters().forEach((k, v) -> params.put("dec." + k, v));
        List<GradCheck.Result> r = GradCheck.check(params, List.of(), in -> {
            NdArray h = enc.forward(x);
            NdArray mu = F.narrow(h, 1, 0, 2);
            NdArray lv = F.narrow(h, 1, 2, 2);
            NdArray z = F.add(mu, F.mul(F.exp(F.mul(lv, 0.5)), eps));
            NdArray recon = Losses.bernoulliLogLik(dec.forward(z), x);
            return F.mean(F.sub(Losses.gaussianKl(mu, lv), recon));
        }, 6, H, 11);
        GradCheck.assertClose(r, TOL);
    }

    /** The check is not vacuous: scaling one op's incoming gradient by 1.001 makes it fail. */
    @ParameterizedTest
    @ValueSource(strings = {"linear", "conv2d", "conv_transpose2d", "group_norm", "silu", "bernoulli_loglik"})
    void failsWhenABackwardPassIsPerturbed(String op) {
        Rng rng = new Rng(9);
        Function<List<NdArray>, NdArray> f;
        Map<String, NdArray> params;
        NdArray x;
        switch (op) {
            case "linear" -> {
                Linear l = new Linear(4, 3, D, rng);
                params = l.parameters();
                x = randn(50, 3, 4);
                f = in -> l.forward(in.get(0));
            }
            case "conv2d" -> {
                Conv2d c = new Conv2d(2, 3, 3, 1, 1, true, D, rng);
                params = c.parameters();
                x = randn(51, 2, 2, 4, 4);
                f = in -> c.forward(in.get(0));
            }
            case "conv_transpose2d" -> {
                ConvTranspose2d c = new ConvTranspose2d(2, 3, 4, 2, 1, 0, true, D, rng);
                params = c.parameters();
                x = randn(52, 2, 2, 3, 3);
                f = in -> c.forward(in.get(0));
            }
            case "group_norm" -> {
                GroupNorm gn = new GroupNorm(2, 4, D);
                params = gn.parameters();
                x = randn(53, 2, 4, 3, 3);
                f = in -> gn.forward(in.get(0));
            }
            case "silu" -> {
                params = Map.of();
                x = randn(54, 3, 5);
                f = in -> F.silu(in.get(0));
            }
            default -> {
                params = Map.of();
                x = randn(55, 3, 5);
                NdArray t = NdArray.wrap(new double[] {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1}, 3, 5);
                f = in -> Losses.bernoulliLogLik(in.get(0), t);
            }
        }
        Function<List<NdArray>, NdArray> loss = in -> project(f.apply(in), 99);
        GradCheck.assertClose(GradCheck.check(params, List.of(x), loss, 4, H, 7), TOL);
        Debug.perturbed = op;
        try {
            List<GradCheck.Result> r = GradCheck.check(params, List.of(x), loss, 4, H, 7);
            assertTrue(GradCheck.worst(r) > 1e-4, "perturbed " + op + " went unnoticed: " + GradCheck.worst(r));
            assertThrows(AssertionError.class, () -> GradCheck.assertClose(r, TOL));
        } finally {
            Debug.perturbed = null;
        }
    }
}
