/**
 * Sweeps: {@link org.genbench.sweep.SweepSpec} (a spec with seeds, a grid and/or a list of settings) expands to
 * {@link org.genbench.sweep.SweepPoint}s; the {@link org.genbench.sweep.Sweeps} service runs the missing ones and
 * reports the compare table (mean ± sd over seeds) and a plot.
 */
@Version("1.0.0")
@Export
package org.genbench.sweep;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
