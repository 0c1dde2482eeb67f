/** One optimizer family: SGD with momentum, Adam and AdamW, gradient clipping, learning-rate schedules, an exponential moving average of the weights. */
@Version("0.3.0")
@Export
package org.genbench.nn.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
