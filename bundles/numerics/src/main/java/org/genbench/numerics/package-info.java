/**
 * Numerical linear algebra on the platform's OpenBLAS (symmetric eigen-decomposition, Cholesky, covariance, the
 * Fréchet distance) and {@link org.genbench.numerics.NumericsCheck}, which checks on the machine it runs on that
 * these give right answers: {@code bin/genbench doctor} runs it, and the workbench refuses to start a run when it
 * fails ({@link org.genbench.numerics.NumericsGate}, cached per host and library versions).
 */
@Version("0.1.0")
@Export
package org.genbench.numerics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
