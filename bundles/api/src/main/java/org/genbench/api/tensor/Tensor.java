package org.genbench.api.tensor;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A dense row-major (C order) array in one Arrow buffer. This is what crosses bundle boundaries: a producer
 * allocates, the consumer views the same memory (the tensor bundle wraps it as an ND4J array without copying).
 * A tensor holds one reference on its buffer; {@link #close()} drops it, {@link #retain()} adds a handle.
 * Element accessors are for small data, tests and glue; heavy work views the buffer.
 */
public final class Tensor implements AutoCloseable {
    private final ArrowBuf buffer;
    private final DType dtype;
    private final long[] shape;
    private final long size;
    private boolean closed;

    private Tensor(ArrowBuf buffer, DType dtype, long[] shape) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
        if (buffer.capacity() < n * dtype.bytes()) {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes is too small for "
                    + dtype + Arrays.toString(shape));
        }
    }

    /** A new zero-filled tensor. */
    public static Tensor allocate(BufferAllocator allocator, DType dtype, long... shape) {
        long bytes = Math.multiplyExact(Arrays.stream(shape).reduce(1, Math::multiplyExact), dtype.bytes());
        ArrowBuf buf = allocator.buffer(bytes);
        buf.setZero(0, bytes);
        return new Tensor(buf, dtype, shape);
    }

    /** Takes over one reference already held on {@code buffer}. */
    public static Tensor wrap(ArrowBuf buffer, DType dtype, long... shape) {
        return new Tensor(buffer, dtype, shape);
    }

    /** Copies {@code values} into a new float64 tensor. */
    public static Tensor ofDoubles(BufferAllocator allocator, double[] values, long... shape) {
        return of(allocator, DType.FLOAT64, values, shape);
    }

    /** Copies {@code values} into a new tensor of {@code dtype} (rounded or cast as {@link #setDouble} does). */
    public static Tensor of(BufferAllocator allocator, DType dtype, double[] values, long... shape) {
        Tensor t = allocate(allocator, dtype, shape);
        if (t.size != values.length) {
            t.close();
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        t.setDoubles(values);
        return t;
    }

    public ArrowBuf buffer() {
        checkOpen();
        return buffer;
    }

    public BufferAllocator allocator() {
        return buffer.getReferenceManager().getAllocator();
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Rows (the first dimension), e.g. number of examples. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Elements per row. */
    public long rowSize() {
        return shape.length == 0 ? 1 : size / Math.max(1, shape[0]);
    }

    /** Another handle on the same memory; close both. */
    public Tensor retain() {
        checkOpen();
        buffer.getReferenceManager().retain();
        return new Tensor(buffer, dtype, shape);
    }

    /** The same memory seen with another shape of the same size; a new handle to close. */
    public Tensor reshape(long... newShape) {
        long n = Arrays.stream(newShape).reduce(1, Math::multiplyExact);
        if (n != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        checkOpen();
        buffer.getReferenceManager().retain();
        return new Tensor(buffer, dtype, newShape);
    }

    /**
     * Rows {@code [start, start + count)} of this tensor as a new handle on the same memory (no copy): a mini-batch
     * view. Close it like any tensor.
     */
    public Tensor slice(long start, long count) {
        checkOpen();
        if (shape.length == 0 || start < 0 || count < 0 || start + count > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + count) + ") outside tensor "
                    + Arrays.toString(shape));
        }
        long rowBytes = rowSize() * dtype.bytes();
        ArrowBuf view = buffer.slice(start * rowBytes, Math.max(0, count * rowBytes));
        view.getReferenceManager().retain();
        long[] newShape = shape.clone();
        newShape[0] = count;
        return new Tensor(view, dtype, newShape);
    }

    public double getDouble(long index) {
        checkIndex(index);
        return switch (dtype) {
            case FLOAT32 -> buffer.getFloat(index * 4);
            case FLOAT64 -> buffer.getDouble(index * 8);
            case INT32 -> buffer.getInt(index * 4);
            case INT64 -> buffer.getLong(index * 8);
            case UINT8 -> buffer.getByte(index) & 0xff;
        };
    }

    public void setDouble(long index, double value) {
        checkIndex(index);
        switch (dtype) {
            case FLOAT32 -> buffer.setFloat(index * 4, (float) value);
            case FLOAT64 -> buffer.setDouble(index * 8, value);
            case INT32 -> buffer.setInt(index * 4, (int) value);
            case INT64 -> buffer.setLong(index * 8, (long) value);
            case UINT8 -> buffer.setByte(index, (int) value);
        }
    }

    /** Element {@code (row, col)} of a tensor seen as {@code [rows, rowSize]}. */
    public double get(long row, long col) {
        return getDouble(row * rowSize() + col);
    }

    /** A copy as a Java array, in bulk for float types. */
    public double[] toDoubleArray() {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor of " + size + " elements does not fit a Java array");
        }
        checkOpen();
        double[] out = new double[(int) size];
        boolean bulk = size * dtype.bytes() <= Integer.MAX_VALUE;
        if (bulk && dtype == DType.FLOAT64) {
            buffer.nioBuffer(0, out.length * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        } else if (bulk && dtype == DType.FLOAT32) {
            FloatBuffer f = buffer.nioBuffer(0, out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < out.length; i++) {
                out[i] = f.get(i);
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = getDouble(i);
            }
        }
        return out;
    }

    /** Overwrites every element with {@code values} (as many as {@link #size()}), in bulk for float types. */
    public void setDoubles(double[] values) {
        checkOpen();
        if (values.length != size) {
            throw new IllegalArgumentException(values.length + " values for a tensor of " + size + " elements");
        }
        boolean bulk = size * dtype.bytes() <= Integer.MAX_VALUE;
        if (bulk && dtype == DType.FLOAT64) {
            buffer.nioBuffer(0, values.length * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(values);
        } else if (bulk && dtype == DType.FLOAT32) {
            FloatBuffer f = buffer.nioBuffer(0, values.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            for (int i = 0; i < values.length; i++) {
                f.put(i, (float) values[i]);
            }
        } else {
            for (int i = 0; i < values.length; i++) {
                setDouble(i, values[i]);
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            buffer.getReferenceManager().release();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tensor is closed");
        }
    }

    private void checkIndex(long index) {
        checkOpen();
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside tensor of " + size + " elements");
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + Arrays.toString(shape) + (closed ? ", closed" : "") + "]";
    }
}
