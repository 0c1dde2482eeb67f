package org.genbench.kernel;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets in the kernel's own JVM, like JShell's {@code local} engine, but keeps each snippet's value
 * as an object: JShell only reports a value's string, and the kernel needs the object to show a table as HTML or
 * an image as PNG. {@link #invoke(Method)} stores the value under a fresh key and returns the key as the "value";
 * the kernel takes the object back with {@link #takeResult(String)}.
 *
 * <p>Snippet classes are defined by JShell's default loader delegate, whose parent is the system class loader, so
 * cells see the kernel's class path (the genbench client, the host, ND4J, Arrow) as the same classes the kernel
 * uses: one ND4J, natives loaded once, and a cell's {@code Table} is the kernel's {@code Table}.
 *
 * <p>A snippet runs on the kernel's execute thread (the local engine starts a thread per snippet in a thread group
 * of its own): the framework threads a cell starts then belong to the kernel, and Jupyter's interrupt reaches the
 * running cell as a plain {@link Thread#interrupt()}.
 */
final class CellExecutionControl extends DirectExecutionControl {
    private static final Object NULL = new Object();
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private volatile Thread running;
    /** An interrupt for the cell being evaluated that came while it was still compiling (no thread to reach yet). */
    private volatile boolean interruptPending;

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        running = Thread.currentThread();
        if (interruptPending) {
            Thread.currentThread().interrupt();
        }
        try {
            Object value = doitMethod.invoke(null);
            String key = UUID.randomUUID().toString();
            results.put(key, value == null ? NULL : value);
            return key;
        } finally {
            running = null;
            Thread.interrupted(); // an interrupt aimed at this cell must not leak into the next one
        }
    }

    /** The value stored under {@code key}, removed; null when the key is not one of ours or the value was null. */
    Object takeResult(String key) {
        Object v = key == null ? null : results.remove(key);
        return v == NULL ? null : v;
    }

    /** A cell's evaluation starts (compiling, then running its snippets). */
    void beginCell() {
        interruptPending = false;
    }

    /** The cell's evaluation ended: an interrupt that never reached it is dropped, not kept for the next cell. */
    void endCell() {
        interruptPending = false;
    }

    /**
     * Jupyter's interrupt: the running cell sees {@link Thread#isInterrupted()}; a genbench run stops cleanly on it.
     * An interrupt that arrives while the cell is still being compiled (slow on a busy machine) reaches its snippets
     * when they start, instead of being lost.
     */
    void interrupt() {
        interruptPending = true;
        Thread t = running;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Hands JShell the one instance, so the kernel can reach its results. */
    static final class Provider implements ExecutionControlProvider {
        private final CellExecutionControl control = new CellExecutionControl();

        @Override
        public String name() {
            return "genbench-local";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }

        CellExecutionControl control() {
            return control;
        }
    }
}
