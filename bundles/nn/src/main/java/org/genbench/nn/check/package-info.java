/** Finite-difference gradient checks in float64. */
@Version("0.1.0")
@Export
package org.genbench.nn.check;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
