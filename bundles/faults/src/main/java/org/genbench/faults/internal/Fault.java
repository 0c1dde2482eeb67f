package org.genbench.faults.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.genbench.api.RunContext;

/**
 * The misbehaviours on offer. {@code hang} waits until the run is cancelled (a component stuck on something that
 * honours cancellation); {@code hang-hard} ignores cancellation and interrupts alike and never returns (a component
 * the workbench must abandon); {@code oom} fills the heap until the JVM throws OutOfMemoryError.
 */
final class Fault {
    static final Set<String> KINDS = Set.of("none", "throw", "nan", "hang", "hang-hard", "oom");

    private Fault() {
    }

    static String check(String fault) {
        String f = fault == null ? "none" : fault;
        if (!KINDS.contains(f)) {
            throw new IllegalArgumentException("fault must be one of " + new java.util.TreeSet<>(KINDS) + ", was '" + f + "'");
        }
        return f;
    }

    /** Does {@code fault} (other than nan, which the caller turns into a value) now. */
    static void trigger(String fault, String who, RunContext context) {
        switch (fault) {
            case "throw" -> throw new IllegalStateException(who + " failed on purpose (fault 'throw')");
            case "hang" -> {
                while (!context.isCancelled()) {
                    sleep(20);
                }
            }
            case "hang-hard" -> {
                while (true) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        // ignored on purpose: this component cannot be stopped
                    }
                }
            }
            case "oom" -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[16 << 20]);
                }
            }
            default -> {
            }
        }
    }

    static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
