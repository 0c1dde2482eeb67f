/**
 * The workbench service that front ends (CLI, shell, notebook, web) use: list components, parse and compose
 * experiment specs, run them, and read past runs.
 */
@Version("0.2.0")
@Export
package org.genbench.workbench;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
