package org.genbench.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genbench.nn.internal.Debug;

/**
 * A recording of the ops run while it is open (a tape), for reverse-mode differentiation, and the owner of every
 * array made meanwhile (see {@link Scope}). Ops record themselves only when an input needs a gradient: a parameter
 * that is not frozen (unless this graph was opened with {@link #recordInputsOnly()}), an input marked with
 * {@link #input}, or the output of an op recorded here.
 *
 * <pre>{@code
 * try (Graph g = Graph.record()) {
 *     NdArray loss = model.loss(batch);
 *     loss.backward();            // parameters' grad() now hold d loss / d parameter
 *     double value = loss.item();  // read before the graph closes
 * }
 * optimizer.step();
 * }</pre>
 */
public final class Graph extends Scope {
    /** How an op turns its output's gradient into its inputs' gradients (see {@link Autograd}). */
    @FunctionalInterface
    public interface Backward {
        void apply(NdArray gradOut);
    }

    record Node(String op, NdArray out, Backward backward) {
    }

    private final List<Node> tape = new ArrayList<>();
    private final boolean parameters;
    private boolean backwardDone;
    /** While backward runs, ops used inside backward functions are not recorded. */
    boolean inBackward;

    private Graph(boolean parameters) {
        super(true, false);
        this.parameters = parameters;
    }

    /** Records ops for gradients in parameters and in {@link #input}s. */
    public static Graph record() {
        return new Graph(true);
    }

    /**
     * Records ops for gradients in {@link #input}s only: parameters count as constants and receive nothing (a Langevin
     * step needs the energy's gradient in x, not in the weights).
     */
    public static Graph recordInputsOnly() {
        return new Graph(false);
    }

    /** A view of {@code x}'s values that this graph differentiates by: after backward, its {@code grad()} holds it. */
    public NdArray input(NdArray x) {
        NdArray v = x.detach();
        v.requiresGrad = true;
        v.graph = this;
        return v;
    }

    boolean needs(NdArray x) {
        if (x == null || !x.requiresGrad) {
            return false;
        }
        return x.parameter ? parameters : x.graph == this;
    }

    void add(String op, NdArray out, Backward backward) {
        if (backwardDone) {
            throw new IllegalStateException("this graph already ran backward; record the next step in a new graph");
        }
        out.requiresGrad = true;
        out.graph = this;
        tape.add(new Node(op, out, backward));
    }

    /** Back-propagates d loss / d loss = 1 from the scalar {@code loss} through everything recorded before it. */
    public void backward(NdArray loss) {
        if (loss.graph != this) {
            throw new IllegalArgumentException("backward of an array this graph did not record");
        }
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape " + Arrays.toString(loss.shape())
                    + " (reduce it with F.sum or F.mean)");
        }
        if (backwardDone) {
            throw new IllegalStateException("backward ran already on this graph");
        }
        backwardDone = true;
        NdArray seed = Scope.allocateIn(this, loss.dtype(), loss.shape(), false);
        seed.fill(1);
        loss.grad = seed;
        loss.gradValid = true;
        inBackward = true;
        try {
            for (int i = tape.size() - 1; i >= 0; i--) {
                Node node = tape.get(i);
                NdArray g = node.out().grad;
                if (g != null && node.out().gradValid) {
                    if (Debug.perturbed != null && Debug.perturbed.equals(node.op())) {
                        Debug.perturb(g);
                    }
                    node.backward().apply(g);
                }
            }
        } finally {
            inBackward = false;
        }
    }

    @Override
    void released() {
        tape.clear();
    }

    // ---- for ops: see Autograd

    /** The gradient buffer of {@code x}, allocated on first use; see {@link Autograd#gradFresh}. */
    NdArray gradBuffer(NdArray x) {
        if (x.grad == null) {
            x.grad = x.parameter ? Scope.allocateIn(null, x.dtype(), x.shape(), false)
                    : Scope.allocateIn(this, x.dtype(), x.shape(), false);
            x.gradValid = false;
        }
        return x.grad;
    }
}
