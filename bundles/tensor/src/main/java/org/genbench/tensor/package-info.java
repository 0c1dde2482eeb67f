/** Views Arrow tensors as ND4J arrays and back without copying; reads and writes Arrow IPC files. */
@Version("0.1.0")
@Export
package org.genbench.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
