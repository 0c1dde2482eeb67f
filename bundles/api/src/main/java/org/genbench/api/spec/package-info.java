/** Experiment specs and provenance, as immutable records that validate themselves. */
@Version("0.3.0")
@Export
package org.genbench.api.spec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
