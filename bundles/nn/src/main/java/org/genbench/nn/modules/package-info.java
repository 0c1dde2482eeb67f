/** Layers built on the ops: linear and masked linear, convolutions (plain, masked, transposed), normalizations, activations, residual blocks, time embeddings and a small U-Net. */
@Version("0.2.0")
@Export
package org.genbench.nn.modules;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
