package org.genbench.eval.likelihood.internal;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;

/** The runner's side of a run: a seeded stream, the test's allocator, the last progress report. */
final class TestRunContext implements RunContext {
    private final Rng rng;
    private final BufferAllocator allocator;
    long lastDone = -1;
    long lastTotal = -1;
    boolean cancelled;

    TestRunContext(long seed, BufferAllocator allocator) {
        this.rng = new Rng(seed);
        this.allocator = allocator;
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
    }

    @Override
    public void progress(long done, long total) {
        lastDone = done;
        lastTotal = total;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }
}
