package org.genbench.api;

/**
 * Memory that one setting of a component asks for: {@code count} things (named by {@code what}, e.g.
 * {@code "samples of 2 values"}) of {@code bytesEach} bytes, all held at once. A lower bound, not a forecast: the
 * workbench refuses a spec whose demands together exceed what the JVM can hold, before anything runs, naming
 * {@code field} and the largest value that would fit.
 */
public record MemoryDemand(String field, long count, long bytesEach, String what) {
    public MemoryDemand {
        if (count < 0 || bytesEach < 0) {
            throw new IllegalArgumentException("count and bytesEach must be >= 0, were " + count + ", " + bytesEach);
        }
    }

    /** count * bytesEach, saturating at {@link Long#MAX_VALUE}. */
    public long bytes() {
        long high = Math.multiplyHigh(count, bytesEach);
        return high != 0 ? Long.MAX_VALUE : count * bytesEach < 0 ? Long.MAX_VALUE : count * bytesEach;
    }
}
