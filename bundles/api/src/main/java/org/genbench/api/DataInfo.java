package org.genbench.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a model family needs to know about its data before it sees any: the shape of one example, whether values
 * are continuous or binary/discrete, the number of classes (0 if unlabelled), the data's checksum for provenance,
 * and, for discrete data that density models see dequantized (8-bit pixels), how: {@link Dequantization}, null
 * when the data declares none.
 */
public record DataInfo(String name, long[] sampleShape, String kind, int numClasses, String checksum,
                       Dequantization dequantization) {
    public static final String CONTINUOUS = "continuous";
    public static final String BINARY = "binary";
    public static final String DISCRETE = "discrete";

    public DataInfo {
        Objects.requireNonNull(name, "name");
        sampleShape = sampleShape.clone();
        if (!kind.equals(CONTINUOUS) && !kind.equals(BINARY) && !kind.equals(DISCRETE)) {
            throw new IllegalArgumentException("kind must be continuous, binary or discrete, was " + kind);
        }
        if (dequantization != null && !kind.equals(DISCRETE)) {
            throw new IllegalArgumentException("only discrete data is dequantized, but " + name + " is " + kind);
        }
    }

    /** Data without a declared dequantization. */
    public DataInfo(String name, long[] sampleShape, String kind, int numClasses, String checksum) {
        this(name, sampleShape, kind, numClasses, checksum, null);
    }

    /** Number of scalars in one example. */
    public long dimension() {
        return Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataInfo d && name.equals(d.name) && Arrays.equals(sampleShape, d.sampleShape)
                && kind.equals(d.kind) && numClasses == d.numClasses && Objects.equals(checksum, d.checksum)
                && Objects.equals(dequantization, d.dequantization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(sampleShape), kind, numClasses, checksum, dequantization);
    }

    @Override
    public String toString() {
        return "DataInfo[" + name + ", shape=" + Arrays.toString(sampleShape) + ", " + kind + ", classes=" + numClasses
                + (dequantization == null ? "" : ", " + dequantization) + "]";
    }
}
