/**
 * Entropy coding with exact-likelihood models ({@link org.genbench.api.DiscreteConditionals}): the model's
 * conditionals quantized to integer frequencies ({@link org.genbench.coding.Frequencies}), range asymmetric numeral
 * systems ({@link org.genbench.coding.Rans}), whole data sets to and from a self-describing file
 * ({@link org.genbench.coding.Codec}, {@link org.genbench.coding.CompressedFile}), and the general-purpose coders
 * the result is compared with ({@link org.genbench.coding.Baselines}).
 */
@Version("0.1.0")
@Export
package org.genbench.coding;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
