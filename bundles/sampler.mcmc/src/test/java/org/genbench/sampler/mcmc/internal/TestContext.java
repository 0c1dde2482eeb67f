package org.genbench.sampler.mcmc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;

/** A run context over a test's allocator that records progress and can ask for a stop after some checks. */
final class TestContext implements RunContext {
    private final Rng rng;
    private final BufferAllocator allocator;
    private final long cancelAfterChecks;
    private long checks;
    final List<long[]> progress = new ArrayList<>();
    final List<Map<String, Double>> logged = new ArrayList<>();

    TestContext(long seed, BufferAllocator allocator) {
        this(seed, allocator, Long.MAX_VALUE);
    }

    TestContext(long seed, BufferAllocator allocator, long cancelAfterChecks) {
        this.rng = new Rng(seed);
        this.allocator = allocator;
        this.cancelAfterChecks = cancelAfterChecks;
    }

    @Override
    public Rng rng() {
        return rng;
    }

    @Override
    public BufferAllocator allocator() {
        return allocator;
    }

    @Override
    public void log(long step, Map<String, Double> values) {
        logged.add(values);
    }

    @Override
    public void progress(long done, long total) {
        progress.add(new long[] {done, total});
    }

    @Override
    public boolean isCancelled() {
        return ++checks > cancelAfterChecks;
    }
}
