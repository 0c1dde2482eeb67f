package org.genbench.nn;

import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * A dense, row-major array of float32 or float64 values on the Java heap, with what reverse-mode differentiation
 * needs: the op that made it (while a {@link Graph} records) and its gradient.
 *
 * <p>Memory: an array made while a {@link Scope} is open belongs to that scope, which hands its storage back to a
 * per-thread pool when it closes (after which the array must not be used; reading it fails). So a training step that
 * runs in a {@code try (Graph g = Graph.record())} allocates nothing after the first step. Parameters
 * ({@link #parameter}) and arrays that wrap caller memory ({@link #wrap}) never belong to a scope; {@link Scope#keep}
 * moves a result out of one.
 */
public final class NdArray {
    private final int[] shape;
    private final org.genbench.nn.DType dtype;
    private final int size;
    float[] f;
    double[] d;
    /** The scope that allocated the storage and gives it back; null for heap arrays and for views. */
    Scope owner;
    /** True for views (reshapes) that share another array's storage and so never give it back. */
    final boolean view;

    // ---- differentiation
    /** Leaves: trainable parameters and graph inputs; op outputs while recording. */
    boolean requiresGrad;
    /** A parameter: a leaf whose gradient persists across graphs and that optimizers update. */
    boolean parameter;
    /** The graph this array was recorded in (op outputs and graph inputs); null for parameters and constants. */
    Graph graph;
    NdArray grad;
    /** For parameters: false after the optimizer zeroes the gradient, so the next accumulation overwrites. */
    boolean gradValid;
    String name;

    NdArray(org.genbench.nn.DType dtype, int[] shape, float[] f, double[] d, boolean view) {
        this.dtype = dtype;
        this.shape = shape;
        this.size = checkedSize(shape);
        this.f = f;
        this.d = d;
        this.view = view;
        int len = f != null ? f.length : d.length;
        if (len < size) {
            throw new IllegalArgumentException("storage of " + len + " values for shape " + Arrays.toString(shape));
        }
    }

    static int checkedSize(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31 values");
            }
        }
        return (int) n;
    }

    // ---- construction

    /** A new array in the current scope (or on the heap outside one); contents arbitrary unless {@code zero}. */
    static NdArray allocate(org.genbench.nn.DType dtype, boolean zero, int... shape) {
        return Scope.allocate(dtype, shape.clone(), zero);
    }

    /** Zeros, in the current scope. */
    public static NdArray zeros(org.genbench.nn.DType dtype, int... shape) {
        return allocate(dtype, true, shape);
    }

    /** Every element {@code value}, in the current scope. */
    public static NdArray full(org.genbench.nn.DType dtype, double value, int... shape) {
        NdArray a = allocate(dtype, false, shape);
        a.fill(value);
        return a;
    }

    /** A scalar (shape {@code []}), in the current scope. */
    public static NdArray scalar(org.genbench.nn.DType dtype, double value) {
        return full(dtype, value, new int[0]);
    }

    /** Wraps {@code data} (not copied; never pooled): the caller keeps ownership. */
    public static NdArray wrap(float[] data, int... shape) {
        NdArray a = new NdArray(org.genbench.nn.DType.F32, shape.clone(), data, null, false);
        if (a.size != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
        return a;
    }

    /** Wraps {@code data} (not copied; never pooled): the caller keeps ownership. */
    public static NdArray wrap(double[] data, int... shape) {
        NdArray a = new NdArray(org.genbench.nn.DType.F64, shape.clone(), null, data, false);
        if (a.size != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
        return a;
    }

    /** Standard normal values times {@code scale}, drawn from {@code rng}, in the current scope. */
    public static NdArray randn(Rng rng, org.genbench.nn.DType dtype, double scale, int... shape) {
        NdArray a = allocate(dtype, false, shape);
        if (a.f != null) {
            for (int i = 0; i < a.size; i++) {
                a.f[i] = (float) (rng.nextGaussian() * scale);
            }
        } else {
            for (int i = 0; i < a.size; i++) {
                a.d[i] = rng.nextGaussian() * scale;
            }
        }
        return a;
    }

    /** Uniform values in [lo, hi), drawn from {@code rng}, in the current scope. */
    public static NdArray uniform(Rng rng, org.genbench.nn.DType dtype, double lo, double hi, int... shape) {
        NdArray a = allocate(dtype, false, shape);
        for (int i = 0; i < a.size; i++) {
            a.setFlat(i, lo + (hi - lo) * rng.nextDouble());
        }
        return a;
    }

    /**
     * A trainable parameter: heap storage (never pooled), a gradient that persists across graphs. {@code init} is
     * copied.
     */
    public static NdArray parameter(String name, NdArray init) {
        NdArray p = init.dtype == org.genbench.nn.DType.F32
                ? new NdArray(init.dtype, init.shape.clone(), Arrays.copyOf(init.f(), init.size), null, false)
                : new NdArray(init.dtype, init.shape.clone(), null, Arrays.copyOf(init.d(), init.size), false);
        p.parameter = true;
        p.requiresGrad = true;
        p.name = Objects.requireNonNull(name, "name");
        return p;
    }

    /** A non-trainable state array that a module keeps (running statistics, masks): heap storage. */
    public static NdArray buffer(NdArray init) {
        return init.dtype == org.genbench.nn.DType.F32
                ? new NdArray(init.dtype, init.shape.clone(), Arrays.copyOf(init.f(), init.size), null, false)
                : new NdArray(init.dtype, init.shape.clone(), null, Arrays.copyOf(init.d(), init.size), false);
    }

    /**
     * A copy of an api tensor's values (any numeric dtype) as {@code dtype}, shaped like it, in the current scope.
     */
    public static NdArray fromTensor(Tensor t, org.genbench.nn.DType dtype) {
        long[] s = t.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        NdArray a = allocate(dtype, false, shape);
        if (dtype == org.genbench.nn.DType.F32 && t.dtype() == DType.FLOAT32) {
            bytes(t, a.size * 4L).asFloatBuffer().get(a.f, 0, a.size);
        } else if (dtype == org.genbench.nn.DType.F64 && t.dtype() == DType.FLOAT64) {
            bytes(t, a.size * 8L).asDoubleBuffer().get(a.d, 0, a.size);
        } else {
            for (int i = 0; i < a.size; i++) {
                a.setFlat(i, t.getDouble(i));
            }
        }
        return a;
    }

    /** The values as a new api tensor of the matching dtype (float32 or float64) from {@code allocator}. */
    public Tensor toTensor(BufferAllocator allocator) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        Tensor t = Tensor.allocate(allocator, dtype == org.genbench.nn.DType.F32 ? DType.FLOAT32 : DType.FLOAT64, s);
        if (f != null) {
            bytes(t, size * 4L).asFloatBuffer().put(f(), 0, size);
        } else {
            bytes(t, size * 8L).asDoubleBuffer().put(d(), 0, size);
        }
        return t;
    }

    private static java.nio.ByteBuffer bytes(Tensor t, long n) {
        return t.buffer().nioBuffer(0, Math.toIntExact(n)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    // ---- shape and values

    public int[] shape() {
        return shape.clone();
    }

    /** Dimension {@code i}; negative counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return size;
    }

    public org.genbench.nn.DType dtype() {
        return dtype;
    }

    /** The float32 storage (row-major, length at least {@link #size()}); for kernels and fast reads. */
    public float[] f() {
        if (f == null) {
            throw released("float32");
        }
        return f;
    }

    /** The float64 storage (row-major, length at least {@link #size()}). */
    public double[] d() {
        if (d == null) {
            throw released("float64");
        }
        return d;
    }

    private IllegalStateException released(String want) {
        if (f == null && d == null) {
            return new IllegalStateException("array " + Arrays.toString(shape) + " was released when its scope closed;"
                    + " keep it (Scope.keep) or copy its values before the scope ends");
        }
        return new IllegalStateException("array is " + dtype + ", not " + want);
    }

    public double getFlat(int i) {
        return dtype == org.genbench.nn.DType.F32 ? f()[i] : d()[i];
    }

    public void setFlat(int i, double v) {
        if (dtype == org.genbench.nn.DType.F32) {
            f()[i] = (float) v;
        } else {
            d()[i] = v;
        }
    }

    /** The value at a multi-index. */
    public double get(int... index) {
        return getFlat(offset(index));
    }

    public void set(double v, int... index) {
        setFlat(offset(index), v);
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
        }
        int o = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(Arrays.toString(index) + " in " + Arrays.toString(shape));
            }
            o = o * shape[i] + index[i];
        }
        return o;
    }

    /** The single value of a one-element array. */
    public double item() {
        if (size != 1) {
            throw new IllegalStateException("item() of an array of " + size + " values");
        }
        return getFlat(0);
    }

    public void fill(double v) {
        if (dtype == org.genbench.nn.DType.F32) {
            Arrays.fill(f(), 0, size, (float) v);
        } else {
            Arrays.fill(d(), 0, size, v);
        }
    }

    /** Copies {@code src}'s values (same size) into this array; not recorded. */
    public void assign(NdArray src) {
        if (src.size != size) {
            throw new IllegalArgumentException("assign " + Arrays.toString(src.shape) + " to " + Arrays.toString(shape));
        }
        if (dtype == src.dtype) {
            if (f != null) {
                System.arraycopy(src.f(), 0, f(), 0, size);
            } else {
                System.arraycopy(src.d(), 0, d(), 0, size);
            }
        } else {
            for (int i = 0; i < size; i++) {
                setFlat(i, src.getFlat(i));
            }
        }
    }

    public float[] toFloatArray() {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) getFlat(i);
        }
        return out;
    }

    public double[] toDoubleArray() {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = getFlat(i);
        }
        return out;
    }

    /** A copy in the current scope, not connected to any graph. */
    public NdArray copy() {
        NdArray c = allocate(dtype, false, shape);
        c.assign(this);
        return c;
    }

    /** A copy as {@code type}, in the current scope, not connected to any graph. */
    public NdArray to(org.genbench.nn.DType type) {
        NdArray c = allocate(type, false, shape);
        c.assign(this);
        return c;
    }

    /**
     * The same values seen with another shape (same size; one dimension may be -1), sharing storage; recorded, so
     * gradients flow through it.
     */
    public NdArray reshape(int... newShape) {
        return F.reshape(this, newShape);
    }

    /** A view of the same storage that no graph knows: gradients stop here. */
    public NdArray detach() {
        if (f == null && d == null) {
            throw released(dtype == org.genbench.nn.DType.F32 ? "float32" : "float64");
        }
        NdArray v = new NdArray(dtype, shape.clone(), f, d, true);
        Scope.viewOf(this, v);
        return v;
    }

    // ---- differentiation

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public boolean isParameter() {
        return parameter;
    }

    /** The parameter's name as its module registered it (null for other arrays). */
    public String name() {
        return name;
    }

    /**
     * The gradient accumulated by the last {@link Graph#backward}: for parameters, the sum since the optimizer last
     * zeroed it (null if none since); for graph inputs and op outputs, valid until the graph closes.
     */
    public NdArray grad() {
        if (parameter && !gradValid) {
            return null;
        }
        return grad;
    }

    /** Forgets a parameter's gradient (optimizers call it after a step); the next backward overwrites it. */
    public void clearGrad() {
        gradValid = false;
    }

    /** Marks a parameter trainable or frozen: a frozen one gets no gradient (and costs no gradient work). */
    public void setRequiresGrad(boolean trainable) {
        if (!parameter) {
            throw new IllegalStateException("only parameters can be frozen; use Graph.input to differentiate by an array");
        }
        requiresGrad = trainable;
    }

    /** Back-propagates from this scalar through the graph that recorded it. */
    public void backward() {
        if (graph == null) {
            throw new IllegalStateException("backward() of an array no recording graph produced (was the forward pass"
                    + " run inside Graph.record(), and does anything in it require a gradient?)");
        }
        graph.backward(this);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("NdArray").append(Arrays.toString(shape)).append(' ').append(dtype);
        if (name != null) {
            b.append(' ').append(name);
        }
        if (f != null || d != null) {
            b.append(" [");
            for (int i = 0; i < Math.min(size, 8); i++) {
                b.append(i == 0 ? "" : ", ").append(getFlat(i));
            }
            b.append(size > 8 ? ", ...]" : "]");
        }
        return b.toString();
    }
}
