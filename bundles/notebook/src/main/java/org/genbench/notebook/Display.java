package org.genbench.notebook;

import java.util.function.Consumer;

/**
 * {@code display(x)} from a cell: shows a table, image or run now, not only as the cell's last value (a cell that
 * shows a plot and a table). The genbench kernel installs the sink at start-up; anywhere else (JShell, a test) the
 * values are printed as text.
 */
public final class Display {
    private static volatile Consumer<Object> sink = v -> System.out.println(v);

    private Display() {
    }

    public static void display(Object... values) {
        for (Object v : values) {
            sink.accept(v);
        }
    }

    /** Called by the kernel: where {@link #display} sends values. */
    public static void setSink(Consumer<Object> newSink) {
        sink = newSink == null ? v -> System.out.println(v) : newSink;
    }
}
