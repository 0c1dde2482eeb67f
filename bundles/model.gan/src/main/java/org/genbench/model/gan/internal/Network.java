package org.genbench.model.gan.internal;

import java.util.List;
import org.genbench.api.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A chain of layers over one flat parameter vector and one flat gradient vector of the same layout, with Adam's
 * moments over the same layout. One flat vector means the optimizer is a few whole-vector native ops per step and a
 * checkpoint is three arrays per network.
 */
final class Network {
    final List<Layers.Layer> layers;
    final INDArray params;
    final INDArray grads;
    final INDArray adamM;
    final INDArray adamV;
    /** Adam updates taken, for bias correction; saved with the moments. */
    long adamSteps;

    Network(List<Layers.Layer> layers) {
        this.layers = List.copyOf(layers);
        long n = layers.stream().mapToLong(Layers.Layer::numParams).sum();
        params = Nd4j.zeros(DataType.FLOAT, n);
        grads = Nd4j.zeros(DataType.FLOAT, n);
        adamM = Nd4j.zeros(DataType.FLOAT, n);
        adamV = Nd4j.zeros(DataType.FLOAT, n);
        long offset = 0;
        for (Layers.Layer layer : layers) {
            layer.bind(params, grads, offset);
            offset += layer.numParams();
        }
    }

    long size() {
        return params.length();
    }

    void init(Rng rng) {
        long offset = 0;
        for (Layers.Layer layer : layers) {
            layer.init(params, offset, rng);
            offset += layer.numParams();
        }
    }

    INDArray forward(INDArray x) {
        INDArray h = x;
        for (Layers.Layer layer : layers) {
            h = layer.forward(h);
        }
        return h;
    }

    /** Back-propagates {@code g} = dLoss/dOutput of the last {@link #forward}; returns dLoss/dInput if asked. */
    INDArray backward(INDArray g, boolean paramGrads, boolean inputGrad) {
        INDArray h = g;
        for (int i = layers.size() - 1; i >= 0; i--) {
            h = layers.get(i).backward(h, paramGrads, inputGrad || i > 0);
        }
        return h;
    }

    /**
     * One Adam step on {@link #grads}, as PyTorch's {@code torch.optim.Adam} (no weight decay): the bias corrections
     * fold into the step size and epsilon is added to sqrt(v) before the division.
     */
    void adam(double lr, double beta1, double beta2, double epsilon) {
        adamSteps++;
        adamM.muli(beta1).addi(grads.mul(1 - beta1));
        adamV.muli(beta2).addi(grads.mul(grads).muli(1 - beta2));
        double bias1 = 1 - Math.pow(beta1, adamSteps);
        double bias2 = 1 - Math.pow(beta2, adamSteps);
        INDArray denom = org.nd4j.linalg.ops.transforms.Transforms.sqrt(adamV, true).divi(Math.sqrt(bias2)).addi(epsilon);
        params.subi(adamM.div(denom).muli(lr / bias1));
    }
}
