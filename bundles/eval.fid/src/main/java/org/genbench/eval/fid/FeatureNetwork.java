package org.genbench.eval.fid;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The FID evaluator's extension point under its first name. The feature network moved to the vision library
 * ({@link org.genbench.vision.FeatureNetwork}), where the other evaluators that need features find it; a service
 * registered under either interface is selectable by name in the fid evaluator's {@code network} setting.
 */
@ConsumerType
public interface FeatureNetwork extends org.genbench.vision.FeatureNetwork {
}
