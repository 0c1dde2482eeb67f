package org.genbench.tensor;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bridge between the API's Arrow tensors and ND4J, in both directions without copying.
 *
 * <p>{@link #view(Tensor)} wraps the Arrow buffer's off-heap memory in a JavaCPP pointer and builds an ND4J
 * buffer on it: writes through the array land in the tensor. The array is valid only while the tensor is open;
 * callers keep the tensor open (or {@link Tensor#retain()} it) for as long as they use the view.
 *
 * <p>{@link #toTensor(INDArray, BufferAllocator)} hands ND4J memory to Arrow as a foreign allocation that holds
 * the array strongly until the last Arrow reference is released, so neither side frees memory the other uses.
 */
public final class Nd4jArrow {
    private Nd4jArrow() {
    }

    /** An ND4J array over the tensor's memory, same shape, C order. */
    public static INDArray view(Tensor tensor) {
        long n = tensor.size();
        long address = tensor.buffer().memoryAddress();
        DataType type = nd4jType(tensor.dtype());
        DataBuffer buffer = Nd4j.createBuffer(typedPointer(address, n, tensor.dtype()), n, type);
        long[] shape = tensor.shape();
        if (shape.length == 0) {
            shape = new long[] {1};
        }
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
    }

    /**
     * A tensor over the array's memory, in {@code allocator}'s accounting. Arrays that do not cover their whole
     * buffer in C order (strided views, transposes) are first made contiguous (that one case copies); arrays in a workspace are detached.
     */
    public static Tensor toTensor(INDArray array, BufferAllocator allocator) {
        INDArray a = array;
        if (a.isAttached()) {
            a = a.detach();
        }
        if (a.offset() != 0 || a.ordering() != 'c' || a.data().length() != a.length()
                || !Shape.hasDefaultStridesForShape(a)) {
            a = a.dup('c');
        }
        DType dtype = dtype(a.dataType());
        long bytes = a.length() * dtype.bytes();
        ArrowBuf buf = allocator.wrapForeignAllocation(new Nd4jAllocation(a, bytes));
        return Tensor.wrap(buf, dtype, a.shape());
    }

    /** A copy of the array in a fresh Arrow buffer; for arrays whose memory ND4J will reuse. */
    public static Tensor copyToTensor(INDArray array, BufferAllocator allocator) {
        INDArray a = array.dup('c');
        return toTensor(a, allocator);
    }

    public static DataType nd4jType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            case INT32 -> DataType.INT;
            case INT64 -> DataType.LONG;
            case UINT8 -> DataType.UBYTE;
        };
    }

    public static DType dtype(DataType type) {
        return switch (type) {
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case INT -> DType.INT32;
            case LONG -> DType.INT64;
            case UBYTE -> DType.UINT8;
            default -> throw new IllegalArgumentException("no Arrow tensor type for ND4J " + type);
        };
    }

    private static Pointer typedPointer(long address, long n, DType dtype) {
        Pointer raw = new RawPointer(address, n * dtype.bytes());
        Pointer typed = switch (dtype) {
            case FLOAT32 -> new FloatPointer(raw);
            case FLOAT64 -> new DoublePointer(raw);
            case INT32 -> new IntPointer(raw);
            case INT64 -> new LongPointer(raw);
            case UINT8 -> new BytePointer(raw);
        };
        return typed.capacity(n).limit(n);
    }

    /** A JavaCPP pointer to memory it does not own (no deallocator). */
    private static final class RawPointer extends Pointer {
        RawPointer(long address, long bytes) {
            this.address = address;
            this.capacity = bytes;
            this.limit = bytes;
        }
    }

    /** ND4J memory lent to Arrow; the strong reference keeps ND4J from freeing it. */
    private static final class Nd4jAllocation extends ForeignAllocation {
        private INDArray owner;

        Nd4jAllocation(INDArray owner, long bytes) {
            super(bytes, owner.data().address());
            this.owner = owner;
        }

        @Override
        protected void release0() {
            owner = null;
        }
    }
}
