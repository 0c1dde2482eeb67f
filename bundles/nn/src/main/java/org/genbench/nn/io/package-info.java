/** Checkpoints: named arrays and metadata in one safetensors file, free of class names. */
@Version("0.1.0")
@Export
package org.genbench.nn.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
