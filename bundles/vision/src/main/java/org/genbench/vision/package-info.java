/**
 * What evaluators that look at data share: feature networks ({@link org.genbench.vision.FeatureNetwork}, the
 * in-project Fashion-MNIST classifier, DL4J and Keras model files), classifiers and linear probes trained on the nn
 * substrate ({@link org.genbench.vision.Classifier}), and nearest neighbours in feature space
 * ({@link org.genbench.vision.Neighbours}).
 */
@Version("0.1.0")
@Export
package org.genbench.vision;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
