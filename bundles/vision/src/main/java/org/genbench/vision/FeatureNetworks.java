package org.genbench.vision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Finds a feature network by what a spec says: {@code fashion-mnist-mlp} (the in-project default, trained on first
 * use into the cache, see {@link FashionMnistClassifier}), the name of a registered {@link FeatureNetwork} service,
 * or the path of a DL4J model file ({@code ModelSerializer} zip) or a Keras Sequential model in HDF5 ({@code .h5},
 * through DL4J's KerasModelImport) whose layer {@code layer} gives the features. Loaded networks are kept per JVM, so
 * the evaluators that share a network load (or train) it once.
 */
public final class FeatureNetworks {
    /** The default network's name. */
    public static final String DEFAULT = FashionMnistClassifier.NAME;

    private static final Map<String, FeatureNetwork> LOADED = new ConcurrentHashMap<>();

    private FeatureNetworks() {
    }

    /** System property {@code genbench.cache}, else {@code ~/.cache/genbench}. */
    public static String defaultCacheDir() {
        String configured = System.getProperty("genbench.cache");
        return configured != null ? configured : Path.of(System.getProperty("user.home"), ".cache", "genbench").toString();
    }

    /** Fails with what to do instead when {@code network} names a format DL4J cannot read. */
    public static void checkName(String network) {
        if (network == null || network.isBlank()) {
            throw new IllegalArgumentException("network must name a feature network or a model file, was blank");
        }
        if (network.toLowerCase(Locale.ROOT).endsWith(".keras")) {
            throw new IllegalArgumentException("network '" + network + "' is a Keras 3 .keras archive, which DL4J's"
                    + " importer does not read; save the model in Keras's HDF5 format (.h5)");
        }
    }

    /** Whether {@code network} is a model file's path rather than a name. */
    public static boolean isModelFile(String network) {
        String n = network.toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.endsWith(".h5");
    }

    /**
     * The network {@code network} names: one of {@code registered} by name first, then the default, then a model
     * file. {@code layer} is a model file's feature layer (null: the one before the output layer).
     */
    public static FeatureNetwork resolve(String network, Integer layer, Path cacheDir, Path fashionMnistDir,
                                         Collection<? extends FeatureNetwork> registered) {
        checkName(network);
        for (FeatureNetwork n : registered) {
            if (n.name().equals(network)) {
                return n;
            }
        }
        String key = network + "|" + layer + "|" + cacheDir.toAbsolutePath() + "|" + fashionMnistDir.toAbsolutePath();
        return LOADED.computeIfAbsent(key, k -> {
            try {
                if (isModelFile(network)) {
                    Path file = Path.of(network);
                    if (!Files.isRegularFile(file)) {
                        throw new IllegalArgumentException("feature network file " + file + " does not exist");
                    }
                    MultiLayerNetwork net = network.toLowerCase(Locale.ROOT).endsWith(".h5")
                            ? KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false)
                            : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
                    int l = layer != null ? layer : net.getnLayers() - 2;
                    return new Dl4jFeatureNetwork(file.getFileName().toString(), net, l);
                }
                if (network.equals(DEFAULT)) {
                    return FashionMnistClassifier.loadOrTrain(FashionMnistClassifier.Recipe.DEFAULT, cacheDir,
                            fashionMnistDir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load feature network '" + network + "': " + e.getMessage(), e);
            } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException e) {
                throw new IllegalArgumentException("cannot import Keras model '" + network + "': " + e.getMessage(), e);
            }
            List<String> names = new ArrayList<>();
            names.add(DEFAULT);
            registered.forEach(n -> names.add(n.name()));
            throw new IllegalArgumentException("no feature network '" + network + "'; available: " + names
                    + ", or the path of a DL4J model .zip or a Keras .h5 (Sequential)");
        });
    }
}
