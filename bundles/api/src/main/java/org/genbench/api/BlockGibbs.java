package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The exact block conditionals of a bipartite model with binary hidden units h (a restricted Boltzmann machine, the
 * top layer of a deep belief net). Its joint energy has the form
 *
 * <pre>  E(v, h) = U(v) - sum_j h_j a_j(v)</pre>
 *
 * so that the hidden units are independent given the visible ones, P(h_j = 1 | v) = sigmoid(a_j(v)), and the visible
 * units are independent given h, each of one kind: Bernoulli, with log-odds {@link #visibleField}, or Gaussian, with
 * mean {@link #visibleField} and variance {@link #visibleVariance}. Summing h out gives the free energy
 * F(v) = U(v) - sum_j softplus(a_j(v)); a model that is also {@link Energy} reports exactly that as its energy.
 *
 * <p>These pieces are all a sampler needs to run chains (v to h to v), and all that annealed importance sampling needs
 * to move between a factorized base and the model at any inverse temperature b: the tempered free energy is
 * b U(v) - sum_j softplus(b a_j(v)), and the tempered conditionals scale the fields by b.
 *
 * <p>Every method takes a batch of states, one per row: visible {@code [n, sampleShape...]}, hidden
 * {@code [n, hiddenUnits]}, float32 or float64. Results are new tensors in the argument's allocator, float64 unless
 * said otherwise; the caller closes them.
 */
@ConsumerType
public interface BlockGibbs extends Capability {
    /** The kind of the visible units; hidden units are always Bernoulli. */
    enum Units {
        /** v_i in {0, 1}, P(v_i = 1 | h) = sigmoid(visibleField_i(h)). */
        BERNOULLI,
        /** v_i real, v_i | h ~ N(visibleField_i(h), visibleVariance_i). */
        GAUSSIAN
    }

    Units visibleUnits();

    int hiddenUnits();

    /** a(v): the log-odds of P(h_j = 1 | v), {@code [n, hiddenUnits]}. */
    Tensor hiddenField(Tensor visible);

    /** U(v): the part of the energy that involves v alone, {@code [n]}. */
    Tensor visibleEnergy(Tensor visible);

    /** The log-odds (Bernoulli units) or the mean (Gaussian units) of v given h, {@code [n, sampleShape...]}. */
    Tensor visibleField(Tensor hidden);

    /** The variance of each Gaussian visible unit given h, {@code [sampleShape...]}; Bernoulli units have none. */
    default Tensor visibleVariance(BufferAllocator allocator) {
        throw new UnsupportedOperationException("Bernoulli visible units have no variance parameter");
    }

    /** h ~ p(h | v): float32 zeros and ones {@code [n, hiddenUnits]}, all randomness from {@code rng}. */
    Tensor sampleHidden(Tensor visible, Rng rng);

    /** v ~ p(v | h), float32 {@code [n, sampleShape...]}, all randomness from {@code rng}. */
    Tensor sampleVisible(Tensor hidden, Rng rng);
}
