package org.genbench.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.genbench.api.Rng;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The default FID feature network: a classifier trained here, on Fashion-MNIST's 60000 training images, by a fixed
 * recipe. It is not committed (weights are data, and this keeps the repository small); the first FID that needs it
 * trains it into a cache directory and records the recipe, the sha256 of the training files and of the weights,
 * and its test accuracy in {@code network.json} beside it. Later uses load it and check the weights' hash against
 * that record. {@code datasets/fid/train-feature-network.sh} runs the same step by hand.
 *
 * <p>Why an MLP (784-256-128-10, ReLU) and not a CNN: on a CPU it trains in well under a minute, and an FID needs
 * features that separate the classes and respond to image corruption, not a state-of-the-art classifier. The
 * features are the 128 activations of the second hidden layer, as Inception's pool3 is for the usual FID.
 */
public final class FashionMnistClassifier {
    /** The recipe; a change to it must change {@link #VERSION} so that an old cache is not taken for the new one. */
    public static final String NAME = "fashion-mnist-mlp";
    public static final String VERSION = "v1";
    public static final int FEATURE_LAYER = 1;

    /** How much to train: the default is the full recipe; tests use smaller ones. */
    public record Recipe(int trainExamples, int epochs, int batchSize, long seed) {
        public static final Recipe DEFAULT = new Recipe(60_000, 3, 128, 20_240_601L);

        public Recipe {
            if (trainExamples < 1 || trainExamples > 60_000) {
                throw new IllegalArgumentException("trainExamples must be in 1..60000, was " + trainExamples);
            }
            if (epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("epochs and batchSize must be >= 1, were " + epochs + ", " + batchSize);
            }
        }

        public String directoryName() {
            return NAME + "-" + VERSION + (equals(DEFAULT) ? ""
                    : "-n" + trainExamples + "-e" + epochs + "-b" + batchSize + "-s" + seed);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FashionMnistClassifier() {
    }

    /** The cached network for {@code recipe}, trained first if the cache does not have it. */
    public static Dl4jFeatureNetwork loadOrTrain(Recipe recipe, Path cacheDir, Path dataDir) throws IOException {
        Path dir = cacheDir.resolve("fid").resolve(recipe.directoryName());
        if (!Files.isRegularFile(dir.resolve("network.json"))) {
            train(recipe, dir, dataDir);
        }
        return load(dir);
    }

    public static Dl4jFeatureNetwork load(Path dir) throws IOException {
        JsonNode record = JSON.readTree(dir.resolve("network.json").toFile());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("network.zip").toFile(), false);
        Dl4jFeatureNetwork network = new Dl4jFeatureNetwork(NAME, net, FEATURE_LAYER);
        String recorded = record.path("sha256").asText();
        if (!network.sha256().equals(recorded)) {
            throw new IOException("the cached feature network in " + dir + " has weights with sha256 "
                    + network.sha256() + ", but network.json records " + recorded + "; delete " + dir
                    + " to train it again");
        }
        return network;
    }

    public static JsonNode record(Path cacheDir, Recipe recipe) throws IOException {
        return JSON.readTree(cacheDir.resolve("fid").resolve(recipe.directoryName()).resolve("network.json").toFile());
    }

    public static MultiLayerNetwork untrained(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(FashionMnistIdx.PIXELS).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(128).nOut(FashionMnistIdx.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Trains by the recipe and writes {@code network.zip} and {@code network.json} into {@code dir} atomically. */
    public static void train(Recipe recipe, Path dir, Path dataDir) throws IOException {
        long started = System.nanoTime();
        FashionMnistIdx.Split train = FashionMnistIdx.read(dataDir, "train");
        FashionMnistIdx.Split test = FashionMnistIdx.read(dataDir, "t10k");
        MultiLayerNetwork net = untrained(recipe.seed());
        Rng rng = new Rng(recipe.seed()).split("shuffle");
        int n = recipe.trainExamples();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += recipe.batchSize()) {
                int len = Math.min(recipe.batchSize(), n - start);
                int[] idx = java.util.Arrays.copyOfRange(order, start, start + len);
                net.fit(new DataSet(images(train, idx), oneHot(train, idx)));
            }
        }
        double accuracy = accuracy(net, test);
        String sha = Dl4jFeatureNetwork.hash(net);

        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", NAME);
        record.put("version", VERSION);
        record.put("sha256", sha);
        record.put("sha256Of", "configuration JSON (UTF-8) then parameters as float32 little-endian");
        record.put("architecture", "MLP 784-256(ReLU)-128(ReLU)-10(softmax), features = layer " + FEATURE_LAYER
                + " activations (128)");
        record.put("recipe", Map.of("trainExamples", recipe.trainExamples(), "epochs", recipe.epochs(),
                "batchSize", recipe.batchSize(), "seed", recipe.seed(), "updater", "Adam(lr=1e-3)",
                "loss", "multi-class cross-entropy", "inputs", "pixels / 255, flattened"));
        record.put("data", Map.of("dir", dataDir.toString(), "trainImagesSha256", train.imagesSha256(),
                "trainLabelsSha256", train.labelsSha256(), "testImagesSha256", test.imagesSha256(),
                "testLabelsSha256", test.labelsSha256()));
        record.put("testAccuracy", accuracy);
        record.put("trainingSeconds", (System.nanoTime() - started) / 1e9);
        record.put("created", Instant.now().toString());
        record.put("nd4jThreads", Nd4j.getEnvironment().maxThreads());

        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp-");
        try {
            ModelSerializer.writeModel(net, tmp.resolve("network.zip").toFile(), false);
            JSON.writeValue(tmp.resolve("network.json").toFile(), record);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another run trained it at the same time: keep theirs, drop ours
            }
        } finally {
            deleteTree(tmp);
        }
    }

    static INDArray images(FashionMnistIdx.Split split, int[] idx) {
        float[] v = new float[idx.length * FashionMnistIdx.PIXELS];
        for (int r = 0; r < idx.length; r++) {
            int off = idx[r] * FashionMnistIdx.PIXELS;
            for (int p = 0; p < FashionMnistIdx.PIXELS; p++) {
                v[r * FashionMnistIdx.PIXELS + p] = (split.pixels()[off + p] & 0xff) / 255f;
            }
        }
        return Nd4j.create(v, new long[] {idx.length, FashionMnistIdx.PIXELS}, 'c');
    }

    private static INDArray oneHot(FashionMnistIdx.Split split, int[] idx) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, idx.length, FashionMnistIdx.CLASSES);
        for (int r = 0; r < idx.length; r++) {
            y.putScalar(r, split.labels()[idx[r]], 1f);
        }
        return y;
    }

    public static double accuracy(MultiLayerNetwork net, FashionMnistIdx.Split test) {
        int correct = 0;
        for (int start = 0; start < test.size(); start += 1000) {
            int len = Math.min(1000, test.size() - start);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) {
                idx[i] = start + i;
            }
            INDArray predicted = net.output(images(test, idx), false).argMax(1);
            for (int i = 0; i < len; i++) {
                correct += predicted.getInt(i) == test.labels()[start + i] ? 1 : 0;
            }
        }
        return (double) correct / test.size();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code datasets/fid/train-feature-network.sh}: trains the default network into a cache directory. */
    public static void main(String[] args) throws IOException {
        Path cache = Path.of(args.length > 0 ? args[0] : FeatureNetworks.defaultCacheDir());
        Path data = Path.of(args.length > 1 ? args[1] : FashionMnistIdx.DEFAULT_DIR);
        Dl4jFeatureNetwork net = loadOrTrain(Recipe.DEFAULT, cache, data);
        JsonNode record = record(cache, Recipe.DEFAULT);
        System.out.println(NAME + " " + VERSION + ": sha256 " + net.sha256() + ", test accuracy "
                + record.path("testAccuracy").asDouble() + ", trained in " + record.path("trainingSeconds").asDouble()
                + " s, in " + cache.resolve("fid").resolve(Recipe.DEFAULT.directoryName()));
        System.exit(0);
    }
}
