/**
 * Pictures from plain arrays, drawn with Java2D so that a headless workbench needs no plotting library: samples over
 * a 2-D data density, curves, image grids, and energy landscapes with trajectories. The workbench draws a run's own
 * pictures with it; a plug-in draws what only it can show (filters, chain snapshots) into its output directory.
 */
@Version("0.1.0")
@Export
package org.genbench.plot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
