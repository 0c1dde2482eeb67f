/**
 * Diffusion and score models' shared mathematics, for model families and samplers alike: noise schedules
 * ({@link Schedules}), the reverse processes written once against the api's {@code NoisePredictor} and
 * {@code NoiseConditionalScore} ({@link Ddpm}, {@link Ddim}, {@link AnnealedLangevin}, {@link PredictorCorrector}), the
 * network calls with classifier-free guidance ({@link Denoiser}), and DDPM's variational bound ({@link VariationalBound}).
 */
@Version("0.2.0")
@Export
package org.genbench.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
