package org.genbench.data.toy.internal;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;

/** The runner's side of a run, reduced to what a dataset uses. */
record TestRunContext(Rng rng, BufferAllocator allocator) implements RunContext {
    @Override
    public void log(long step, Map<String, Double> values) {
    }

    @Override
    public void progress(long done, long total) {
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
