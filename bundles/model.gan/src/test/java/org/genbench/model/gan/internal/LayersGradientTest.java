package org.genbench.model.gan.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The explicit backward passes against finite differences: for a random direction d in parameters (and in the
 * input), the directional derivative of L = sum(w * f(x)) by central differences must match grad . d. Float32 with
 * step 1e-2 gives about 3 significant digits; a wrong weight layout or a missing term is off by far more.
 */
class LayersGradientTest {
    private static final double EPS = 1e-2;
    private static final double TOLERANCE = 2e-2;

    @Test
    void denseAndLeakyRelu() {
        check(List.of(new Layers.Dense(5, 7, 0.5), new Layers.LeakyRelu(0.2), new Layers.Dense(7, 3, 0.5)),
                new long[] {4, 5});
    }

    @Test
    void convolution() {
        // followed by a smooth activation: a leaky ReLU kink inside the finite-difference step would blur the check
        check(List.of(new Layers.Conv(3, 4, 4, 2, 1, false, 0.3), new Layers.Output(GanFamily.SYMMETRIC)),
                new long[] {2, 3, 8, 8});
    }

    @Test
    void transposedConvolutionWithUnitOutput() {
        check(List.of(new Layers.Conv(4, 2, 4, 2, 1, true, 0.3), new Layers.Output(GanFamily.UNIT)),
                new long[] {2, 4, 4, 4});
    }

    @Test
    void dcganShapedStack() {
        check(List.of(new Layers.Dense(6, 2 * 3 * 3, 0.5), new Layers.LeakyRelu(0), new Layers.Reshape(2, 3, 3),
                new Layers.Conv(2, 3, 4, 2, 1, true, 0.3), new Layers.Output(GanFamily.SYMMETRIC)), new long[] {3, 6});
    }

    /**
     * Layers write into uninitialized (workspace-recycled) outputs, so every output element must be overwritten, not
     * accumulated onto: a layer run on garbage-filled memory must give what it gives on fresh memory.
     */
    @Test
    void outputsDoNotDependOnWhatTheirMemoryHeldBefore() {
        for (boolean transposed : new boolean[] {false, true}) {
            Rng rng = new Rng(3);
            Network net = new Network(List.of(new Layers.Conv(3, 4, 4, 2, 1, transposed, 0.3)));
            net.init(rng);
            INDArray x = random(rng, 2, 3, 6, 6);
            INDArray clean = net.forward(x).dup();
            INDArray g = random(rng, clean.shape());
            INDArray cleanGx = net.backward(g, true, true).dup();
            INDArray cleanGw = net.grads.dup();
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(
                    org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().initialSize(64L << 20).build(), "dirty")) {
                Nd4j.create(DataType.FLOAT, 16L << 20).assign(7.5f); // leaves the workspace's memory non-zero
            }
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace("dirty")) {
                assertEquals(clean, net.forward(x).detach(), "forward, transposed=" + transposed);
                assertEquals(cleanGx, net.backward(g, true, true).detach(), "input gradient, transposed=" + transposed);
                assertEquals(cleanGw, net.grads, "weight gradient, transposed=" + transposed);
            }
        }
    }

    private static void check(List<Layers.Layer> layers, long[] inputShape) {
        Rng rng = new Rng(7);
        Network net = new Network(layers);
        net.init(rng);
        // non-zero biases, so their gradients are exercised too
        net.params.addi(random(rng, net.params.shape()).muli(0.1));
        INDArray x = random(rng, inputShape);
        INDArray y = net.forward(x);
        INDArray w = random(rng, y.shape());
        INDArray gx = net.backward(w.dup(), true, true);

        INDArray dp = random(rng, net.params.shape());
        double analytic = net.grads.mul(dp).sumNumber().doubleValue();
        INDArray saved = net.params.dup();
        net.params.addi(dp.mul(EPS));
        double plus = net.forward(x).mul(w).sumNumber().doubleValue();
        net.params.assign(saved).subi(dp.mul(EPS));
        double minus = net.forward(x).mul(w).sumNumber().doubleValue();
        net.params.assign(saved);
        double numeric = (plus - minus) / (2 * EPS);
        assertEquals(numeric, analytic, TOLERANCE * Math.max(1, Math.abs(numeric)), "parameter gradient");

        INDArray dx = random(rng, inputShape);
        double analyticX = gx.mul(dx).sumNumber().doubleValue();
        double plusX = net.forward(x.add(dx.mul(EPS))).mul(w).sumNumber().doubleValue();
        double minusX = net.forward(x.sub(dx.mul(EPS))).mul(w).sumNumber().doubleValue();
        double numericX = (plusX - minusX) / (2 * EPS);
        assertEquals(numericX, analyticX, TOLERANCE * Math.max(1, Math.abs(numericX)), "input gradient");
    }

    private static INDArray random(Rng rng, long... shape) {
        INDArray a = Nd4j.create(DataType.FLOAT, shape);
        Layers.fillGaussian(a, 1.0, rng);
        return a;
    }
}
