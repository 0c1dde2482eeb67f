/** Arrays with reverse-mode differentiation (NdArray, Graph, Scope), the differentiable ops (F, Conv, Norm, Losses), and modules (Module, Layer, Sequential, Init): the substrate of every deep family. */
@Version("0.1.0")
@Export
package org.genbench.nn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
