/** Tensors over Arrow buffers: what crosses bundle boundaries, without copies. */
@Version("0.3.0")
@Export
package org.genbench.api.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
