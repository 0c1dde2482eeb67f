package org.genbench.nn;

import java.util.ArrayList;
import java.util.List;
import org.genbench.nn.internal.Pool;

/**
 * A region of one thread's work whose arrays are freed together: every {@link NdArray} made while a scope is open
 * belongs to it, and closing the scope hands the storage back to the thread's pool for the next step. Scopes nest; a
 * nested scope opened inside another (or inside a {@link Graph}) only marks a region and leaves ownership to the
 * outer one, so values a graph needs for its backward pass are never freed under it. {@link #noGrad()} pauses
 * recording, as PyTorch's {@code no_grad}.
 *
 * <pre>{@code
 * try (Scope s = Scope.open()) {
 *     NdArray y = model.forward(x);
 *     return y.toTensor(allocator);      // copy out what must outlive the scope
 * }
 * }</pre>
 */
public class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope previous;
    /** The scope that owns allocations made while this one is current: itself, or an enclosing one. */
    final Scope owner;
    private final boolean pausesRecording;
    private final List<NdArray> owned;
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    Scope(boolean owning, boolean pausesRecording) {
        this.previous = CURRENT.get();
        this.owner = owning || previous == null ? this : previous.owner;
        this.pausesRecording = pausesRecording;
        this.owned = this.owner == this ? new ArrayList<>() : null;
        CURRENT.set(this);
    }

    /** A scope: owning when none is open, else a region of the enclosing one. */
    public static Scope open() {
        return new Scope(false, false);
    }

    /** A scope in which nothing is recorded for differentiation (arrays still belong to the enclosing owner). */
    public static Scope noGrad() {
        return new Scope(false, true);
    }

    /** The current scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    /** The graph that records ops now, or null (none open, or recording paused by {@link #noGrad()}). */
    static Graph recording() {
        for (Scope s = CURRENT.get(); s != null; s = s.previous) {
            if (s.pausesRecording) {
                return null;
            }
            if (s instanceof Graph g) {
                return g.inBackward ? null : g;
            }
        }
        return null;
    }

    static NdArray allocate(DType dtype, int[] shape, boolean zero) {
        Scope s = CURRENT.get();
        return allocateIn(s == null ? null : s.owner, dtype, shape, zero);
    }

    /** An array owned by {@code owner} (heap when null). */
    static NdArray allocateIn(Scope owner, DType dtype, int[] shape, boolean zero) {
        int n = NdArray.checkedSize(shape);
        NdArray a;
        if (owner == null) {
            a = dtype == DType.F32 ? new NdArray(dtype, shape, new float[n], null, false)
                    : new NdArray(dtype, shape, null, new double[n], false);
        } else {
            owner.checkOpen();
            Pool pool = Pool.current();
            a = dtype == DType.F32 ? new NdArray(dtype, shape, pool.floats(n, zero), null, false)
                    : new NdArray(dtype, shape, null, pool.doubles(n, zero), false);
            a.owner = owner;
            owner.owned.add(a);
        }
        return a;
    }

    /** Registers {@code view}, which shares {@code base}'s storage, so that it is invalidated with it. */
    static void viewOf(NdArray base, NdArray view) {
        Scope owner = base.owner;
        if (owner != null) {
            view.owner = owner;
            owner.owned.add(view);
        }
    }

    /**
     * Takes {@code x} out of its scope so that it survives the scope's end (its storage is then the collector's),
     * detached from any graph. Returns {@code x}.
     */
    public static NdArray keep(NdArray x) {
        if (x.view && x.owner != null) {
            // a view shares the storage of an array the scope still frees: give it storage of its own
            if (x.f != null) {
                x.f = java.util.Arrays.copyOf(x.f, x.size());
            } else {
                x.d = java.util.Arrays.copyOf(x.d(), x.size());
            }
        }
        x.owner = null; // the owner skips arrays it no longer owns when it closes
        x.graph = null;
        if (!x.parameter) {
            x.requiresGrad = false;
        }
        return x;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this scope is closed");
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a scope belongs to the thread that opened it (" + thread.getName() + ")");
        }
    }

    /** Frees what this scope owns (when it owns) and makes the enclosing scope current again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must close innermost first");
        }
        closed = true;
        CURRENT.set(previous);
        if (owned != null) {
            Pool pool = Pool.current();
            for (NdArray a : owned) {
                if (a.owner != this) {
                    continue; // kept
                }
                if (!a.view) {
                    if (a.f != null) {
                        pool.release(a.f);
                    } else if (a.d != null) {
                        pool.release(a.d);
                    }
                }
                a.f = null;
                a.d = null;
                a.grad = null;
            }
            owned.clear();
        }
        released();
    }

    /** Called after the storage is released; graphs drop their tape. */
    void released() {
    }
}
