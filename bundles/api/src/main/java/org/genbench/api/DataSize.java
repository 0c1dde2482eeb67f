package org.genbench.api;

import java.util.Arrays;
import java.util.Map;

/**
 * What a dataset's settings will yield, known before it is opened: the shape of one example and the number of
 * examples per split. The workbench uses it to estimate, at compose time, the memory a run's settings ask for.
 */
public record DataSize(long[] sampleShape, Map<String, Long> rows) {
    /** When a dataset cannot tell: one scalar per example, no known splits (estimates become lower bounds). */
    public static final DataSize UNKNOWN = new DataSize(new long[] {1}, Map.of());

    public DataSize {
        sampleShape = sampleShape.clone();
        rows = Map.copyOf(rows);
    }

    /** Scalars in one example. */
    public long dimension() {
        return Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
    }

    /** Examples in {@code split}, 0 when unknown. */
    public long rows(String split) {
        return rows.getOrDefault(split, 0L);
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSize d && Arrays.equals(sampleShape, d.sampleShape) && rows.equals(d.rows);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sampleShape) + rows.hashCode();
    }

    @Override
    public String toString() {
        return "DataSize" + Arrays.toString(sampleShape) + rows;
    }
}
