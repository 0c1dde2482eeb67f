/**
 * The contracts between genbench bundles: model capabilities, the component roles (dataset, model family,
 * trainer, sampler, evaluator), and what a run hands them. Tensors live in {@code org.genbench.api.tensor},
 * experiment specs in {@code org.genbench.api.spec}.
 */
@Version("0.4.0")
@Export
package org.genbench.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
