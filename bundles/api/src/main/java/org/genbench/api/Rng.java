package org.genbench.api;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A seeded random stream. There is no global random state in genbench: the runner derives one stream per
 * component from the experiment seed with {@link #split(String)}, so adding a sampler to a spec does not change
 * the numbers another component draws. Not thread-safe: split one stream per thread.
 */
public final class Rng {
    private final long seed;
    private final SplittableRandom random;

    public Rng(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** The seed this stream started from. */
    public long seed() {
        return seed;
    }

    /** A child stream determined by this stream's seed and {@code name} only (not by how much was drawn). */
    public Rng split(String name) {
        long h = seed;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return new Rng(mix(h + 0x9E3779B97F4A7C15L));
    }

    /** A child stream for index {@code i} (a chain, a worker). */
    public Rng split(int i) {
        return new Rng(mix(seed + 0x9E3779B97F4A7C15L * (i + 1L)));
    }

    public double nextDouble() {
        return random.nextDouble();
    }

    public double nextGaussian() {
        return random.nextGaussian();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
