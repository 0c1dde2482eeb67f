package org.genbench.api.tensor;

/** Element types a tensor can hold, with their width in bytes. */
public enum DType {
    FLOAT32(4), FLOAT64(8), INT32(4), INT64(8), UINT8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
