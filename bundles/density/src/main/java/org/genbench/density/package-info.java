/**
 * What exact-likelihood families on the nn substrate share: {@link org.genbench.density.ModelSpace} (the data's units
 * to the continuous space a density model works in: uniform dequantization and the logit pre-transform of
 * {@link org.genbench.api.Dequantization}, with their log-Jacobians), {@link org.genbench.density.DensityModel} (a
 * base that turns a differentiable log-density into LogDensity, Score, DirectSampling, maximum-likelihood
 * GradientTrainable steps and Persistent checkpoints) and flow layers.
 */
@Version("0.1.0")
@Export
package org.genbench.density;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
