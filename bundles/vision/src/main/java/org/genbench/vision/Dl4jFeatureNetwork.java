package org.genbench.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Features from one layer of a DL4J network that takes flat images: the default Fashion-MNIST classifier, or a
 * user's own model file. Its hash is over the parameters (float32, little-endian) and the configuration JSON, so it
 * names the weights, not the zip container (whose entry timestamps change with every save).
 */
public final class Dl4jFeatureNetwork implements FeatureNetwork {
    public static final int BATCH = 1000;
    public static final String PREPROCESSING = "each image flattened to one row; uint8 data, and floating-point data with"
            + " any value above 1, divided by 255 (to [0, 1]); other floating-point data used as it is";

    private final String name;
    private final MultiLayerNetwork network;
    private final int layer;
    private final String sha256;
    private final long inputs;

    public Dl4jFeatureNetwork(String name, MultiLayerNetwork network, int layer) {
        if (layer < 0 || layer >= network.getnLayers()) {
            throw new IllegalArgumentException("layer must be in 0.." + (network.getnLayers() - 1) + " for network '"
                    + name + "', was " + layer);
        }
        this.name = name;
        this.network = network;
        this.layer = layer;
        this.sha256 = hash(network);
        this.inputs = network.getLayerWiseConfigurations().getConf(0).getLayer() instanceof FeedForwardLayer f
                ? f.getNIn() : -1;
    }

    public static String hash(MultiLayerNetwork network) {
        MessageDigest digest = FashionMnistIdx.sha256();
        digest.update(network.getLayerWiseConfigurations().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        INDArray params = network.params().castTo(DataType.FLOAT);
        ByteBuffer bytes = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < params.length(); i++) {
            bytes.putFloat(params.getFloat(i));
            if (!bytes.hasRemaining()) {
                digest.update(bytes.array(), 0, bytes.position());
                bytes.clear();
            }
        }
        digest.update(bytes.array(), 0, bytes.position());
        return HexFormat.of().formatHex(digest.digest());
    }

    public MultiLayerNetwork network() {
        return network;
    }

    public int layer() {
        return layer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public String preprocessing() {
        return PREPROCESSING + "; features: activations of layer " + layer;
    }

    /** Synchronized: a DL4J network is not safe for concurrent use, and two runs may share this one. */
    @Override
    public synchronized Tensor features(Tensor images) {
        long n = images.rows();
        long d = images.rowSize();
        if (inputs > 0 && d != inputs) {
            throw new IllegalArgumentException("feature network '" + name + "' takes " + inputs + " values per image,"
                    + " the images have " + d + " (shape " + java.util.Arrays.toString(images.shape()) + ")");
        }
        INDArray x = Nd4jArrow.view(images).reshape('c', n, d).castTo(DataType.FLOAT);
        boolean scale = images.dtype() == DType.UINT8 || x.maxNumber().doubleValue() > 1.0;
        if (scale) {
            x = x.div(255.0);
        }
        INDArray out = null;
        for (long start = 0; start < n; start += BATCH) {
            long end = Math.min(n, start + BATCH);
            INDArray batch = x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c');
            List<INDArray> acts = network.feedForwardToLayer(layer, batch, false);
            INDArray f = acts.get(layer + 1);
            f = f.reshape('c', end - start, f.length() / (end - start)).castTo(DataType.DOUBLE);
            if (out == null) {
                out = Nd4j.create(DataType.DOUBLE, n, f.columns());
            }
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(f);
        }
        if (out == null) {
            out = Nd4j.create(DataType.DOUBLE, 0, 1);
        }
        return Nd4jArrow.toTensor(out, images.allocator());
    }
}
