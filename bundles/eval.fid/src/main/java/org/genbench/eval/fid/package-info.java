/**
 * The FID evaluator's extension point: a {@link org.genbench.eval.fid.FeatureNetwork} (or, since 0.2, any
 * {@link org.genbench.vision.FeatureNetwork}) registered as an OSGi service by any bundle becomes selectable by its
 * name in the evaluator's {@code network} setting.
 */
@Version("0.2.0")
@Export
package org.genbench.eval.fid;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
