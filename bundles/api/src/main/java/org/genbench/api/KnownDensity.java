package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A dataset whose generating density is known (in closed form or by quadrature): the 2-D toys. An evaluator then
 * puts a model's held-out log-likelihood beside the truth's on the same examples, and a picture the learned density
 * beside the true one.
 */
@ConsumerType
public interface KnownDensity {
    /** The data density's log p(x) in nats per row of x ({@code [n, sampleShape...]}), float64 {@code [n]}, in x's allocator. */
    Tensor trueLogDensity(Tensor x);
}
