package org.genbench.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a model family needs to know about its data before it sees any: the shape of one example, whether values
 * are continuous or binary/discrete, the number of classes (0 if unlabelled), and the data's checksum for
 * provenance.
 */
public record DataInfo(String name, long[] sampleShape, String kind, int numClasses, String checksum) {
    public static final String CONTINUOUS = "continuous";
    public static final String BINARY = "binary";
    public static final String DISCRETE = "discrete";

    public DataInfo {
        Objects.requireNonNull(name, "name");
        sampleShape = sampleShape.clone();
        if (!kind.equals(CONTINUOUS) && !kind.equals(BINARY) && !kind.equals(DISCRETE)) {
            throw new IllegalArgumentException("kind must be continuous, binary or discrete, was " + kind);
        }
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
                && kind.equals(d.kind) && numClasses == d.numClasses && Objects.equals(checksum, d.checksum);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(sampleShape), kind, numClasses, checksum);
    }

    @Override
    public String toString() {
        return "DataInfo[" + name + ", shape=" + Arrays.toString(sampleShape) + ", " + kind + ", classes=" + numClasses + "]";
    }
}
