package org.genbench.nn;

/** Element types: float32 for training and sampling, float64 for gradient checks and reference computations. */
public enum DType {
    F32(4), F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
