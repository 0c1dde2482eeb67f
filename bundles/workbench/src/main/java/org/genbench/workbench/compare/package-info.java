/**
 * Comparing runs from their directories: one table of final metrics, mean ± sd over runs that differ only by the
 * seed. Used by {@code genbench compare}, sweeps and the dashboard.
 */
@Version("1.0.0")
@Export
package org.genbench.workbench.compare;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
