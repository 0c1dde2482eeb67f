/**
 * Convergence diagnostics for Markov chains: classic and rank-normalized split R-hat and bulk effective sample
 * size (Vehtari, Gelman, Simpson, Carpenter, Bürkner 2021, "Rank-normalization, folding, and localization").
 * Exported so that evaluators can diagnose chains drawn by any sampler.
 */
@Version("0.1.0")
@Export
package org.genbench.sampler.mcmc.diagnostics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
