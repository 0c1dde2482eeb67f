package org.genbench.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.testing.Required;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The classifier the evaluators train (nn) and the feature network (DL4J) are two implementations of one recipe: MLP
 * 784-256-128-10 with ReLU, Adam 1e-3, pixels / 255. Trained on the same images for the same budget they reach the
 * same test accuracy, so "train on real" in the tstr evaluator is the accuracy the feature network's training
 * reports. Needs Debian's dataset-fashion-mnist; skipped without it.
 */
class FeatureNetworkParityTest {
    static final Path DATA = Path.of(FashionMnistIdx.DEFAULT_DIR);

    private static float[] pixels(FashionMnistIdx.Split split, int n) {
        float[] x = new float[n * FashionMnistIdx.PIXELS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (split.pixels()[i] & 0xff) / 255f;
        }
        return x;
    }

    private static int[] labels(FashionMnistIdx.Split split, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = split.labels()[i];
        }
        return y;
    }

    private static double nnAccuracy(int n, int epochs, int batch, long seed) throws IOException {
        FashionMnistIdx.Split train = FashionMnistIdx.read(DATA, "train");
        FashionMnistIdx.Split test = FashionMnistIdx.read(DATA, "t10k");
        Classifier.Recipe recipe = new Classifier.Recipe(java.util.List.of(256, 128), epochs, batch, 1e-3, 0,
                Classifier.INPUTS_PIXELS);
        Classifier c = Classifier.train(pixels(train, n), labels(train, n), FashionMnistIdx.PIXELS,
                FashionMnistIdx.CLASSES, recipe, new Rng(seed));
        return c.accuracy(pixels(test, test.size()), labels(test, test.size()));
    }

    @Test
    void onASmallBudgetBothImplementationsReachTheSameAccuracy() throws IOException {
        Required.fashionMnist();
        FashionMnistClassifier.Recipe small = new FashionMnistClassifier.Recipe(8_000, 1, 100, 11);
        Path cache = Path.of("target", "parity-cache");
        FashionMnistClassifier.loadOrTrain(small, cache, DATA);
        double dl4j = FashionMnistClassifier.record(cache, small).path("testAccuracy").asDouble();
        double nn = nnAccuracy(8_000, 1, 100, 11);
        assertEquals(dl4j, nn, 0.02, "test accuracy: DL4J " + dl4j + ", nn " + nn);
    }

    /** The full recipe (60000 images, 3 epochs) against the default network's recorded accuracy. */
    @Test
    @Tag("benchmark")
    void onTheFullRecipeNnReachesTheFeatureNetworksRecordedAccuracy() throws IOException {
        Required.fashionMnist();
        Path cache = Path.of(FeatureNetworks.defaultCacheDir());
        FashionMnistClassifier.loadOrTrain(FashionMnistClassifier.Recipe.DEFAULT, cache, DATA);
        double dl4j = FashionMnistClassifier.record(cache, FashionMnistClassifier.Recipe.DEFAULT).path("testAccuracy")
                .asDouble();
        double[] nn = new double[3];
        for (int s = 0; s < nn.length; s++) {
            nn[s] = nnAccuracy(60_000, 3, 128, 100 + s);
        }
        System.out.println("feature network (DL4J) test accuracy " + dl4j + "; nn, 3 seeds: " + Arrays.toString(nn));
        assertEquals(dl4j, Arrays.stream(nn).average().orElseThrow(), 0.015);
    }
}
