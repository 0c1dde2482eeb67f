/**
 * Statistics that more than one plug-in needs, so that the numbers a sampler reports about itself and the ones an
 * evaluator reports agree by construction: convergence diagnostics for Markov chains (classic and rank-normalized
 * split R-hat, bulk ESS; Vehtari, Gelman, Simpson, Carpenter, Bürkner 2021), annealed importance sampling of a
 * partition function (for any {@code Energy}, and with exact block-Gibbs transitions for bipartite models), and
 * distances between sample sets.
 */
@Version("0.1.0")
@Export
package org.genbench.stats;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
