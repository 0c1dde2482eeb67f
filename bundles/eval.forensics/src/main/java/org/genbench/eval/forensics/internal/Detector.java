package org.genbench.eval.forensics.internal;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.genbench.api.Rng;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The real-vs-generated classifier: an MLP on flattened pixels (one hidden ReLU layer, sigmoid output, binary
 * cross-entropy, Adam). Small on purpose: the question is whether a generator leaves a detectable trace and whether
 * what one detector learned carries over to another generator, not how far a large detector can be pushed.
 */
final class Detector {
    private final MultiLayerNetwork network;
    private final String description;

    private Detector(MultiLayerNetwork network, String description) {
        this.network = network;
        this.description = description;
    }

    String description() {
        return description;
    }

    /**
     * Trains on {@code real} (label 0) against {@code generated} (label 1), both {@code [n, d]} float32 in [0, 1],
     * for {@code epochs} passes in shuffled mini-batches drawn from {@code rng}.
     */
    static Detector train(INDArray real, INDArray generated, int hidden, int epochs, int batchSize, Rng rng) {
        int d = (int) real.columns();
        long seed = rng.nextLong();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(d).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(hidden).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = Nd4j.vstack(real, generated);
        INDArray y = Nd4j.vstack(Nd4j.zeros(DataType.FLOAT, real.rows(), 1), Nd4j.ones(DataType.FLOAT, generated.rows(), 1));
        int n = (int) x.rows();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += batchSize) {
                int len = Math.min(batchSize, n - start);
                long[] idx = new long[len];
                for (int k = 0; k < len; k++) {
                    idx[k] = order[start + k];
                }
                net.fit(new DataSet(x.get(NDArrayIndex.indices(idx), NDArrayIndex.all()),
                        y.get(NDArrayIndex.indices(idx), NDArrayIndex.all())));
            }
        }
        return new Detector(net, "MLP " + d + "-" + hidden + "(ReLU)-1(sigmoid), binary cross-entropy, Adam(1e-3), "
                + epochs + " epochs, batch " + batchSize + ", " + real.rows() + " real + " + generated.rows()
                + " generated training images");
    }

    /** P(generated) per row. */
    double[] score(INDArray x) {
        double[] out = new double[(int) x.rows()];
        for (long start = 0; start < x.rows(); start += 2000) {
            long end = Math.min(x.rows(), start + 2000);
            INDArray p = network.output(x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()), false);
            for (long i = start; i < end; i++) {
                out[(int) i] = p.getDouble(i - start, 0);
            }
        }
        return out;
    }
}
