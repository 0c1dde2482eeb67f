/**
 * The workbench service that front ends (CLI, shell, notebook, web) use: list components, parse and compose
 * experiment specs, run them, read past runs, and reopen a run's trained model and data.
 */
@Version("0.3.0")
@Export
package org.genbench.workbench;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
