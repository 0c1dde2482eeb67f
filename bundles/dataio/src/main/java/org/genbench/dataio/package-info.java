/**
 * The pieces every dataset bundle that reads the user's own files needs (CSV, Arrow, NumPy, image folders): where
 * a file named in a spec is, its sha256 for provenance, the settings for which file holds what, class labels, a
 * seeded train/test split, and a dataset assembled so that it is whole or absent.
 */
@Version("0.1.0")
@Export
package org.genbench.dataio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
