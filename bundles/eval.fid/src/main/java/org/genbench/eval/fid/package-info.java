/**
 * The FID evaluator's extension point: a {@link org.genbench.eval.fid.FeatureNetwork} registered as an OSGi service
 * by any bundle becomes selectable by its name in the evaluator's {@code network} setting.
 */
@Version("0.1.0")
@Export
package org.genbench.eval.fid;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
