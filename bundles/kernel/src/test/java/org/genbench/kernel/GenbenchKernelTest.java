package org.genbench.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.genbench.notebook.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kernel's evaluator without a Jupyter connection: JShell in this JVM, values kept as objects. */
class GenbenchKernelTest {
    static GenbenchKernel kernel;

    @BeforeAll
    static void create() {
        kernel = GenbenchKernel.create();
    }

    @AfterAll
    static void close() {
        kernel.onShutdown(false);
    }

    @Test
    void aCellsLastExpressionComesBackAsTheObjectItself() {
        assertEquals(42, kernel.evalRaw("int x = 20;\nx + 22"));
        assertEquals(List.of(1, 2), kernel.evalRaw("List.of(1, 2)"));
    }

    @Test
    void cellsSeeTheKernelsClassPathAsTheSameClasses() {
        // The cell's Table is the kernel's Table (one class loader below the system one): rich display works on it.
        Object t = kernel.evalRaw("Table.builder(\"metric\", \"value\").row(\"test_loglik\", -2.5).build()");
        assertInstanceOf(Table.class, t);
        DisplayData d = GenbenchKernel.render(t);
        assertTrue(d.hasDataForType(MIMEType.TEXT_HTML));
        assertTrue(String.valueOf(d.getData(MIMEType.TEXT_HTML)).contains("<th>metric</th>"));
    }

    @Test
    void declarationsAndStatementsShowNothing() {
        assertNull(kernel.evalRaw("String s = \"x\";"));
        assertNull(kernel.evalRaw("void f() { }"));
        assertNull(kernel.evalRaw("for (int i = 0; i < 2; i++) { }"));
        assertEquals("x!", kernel.evalRaw("s + \"!\""));
    }

    @Test
    void picturesRenderAsPng() {
        Object img = kernel.evalRaw("Plot.lines(\"t\", \"x\", \"y\", Map.of(\"s\", new double[][] {{0, 1}, {0, 1}}))");
        assertTrue(GenbenchKernel.render(img).hasDataForType(MIMEType.IMAGE_PNG));
        DisplayData raw = GenbenchKernel.render(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB));
        assertTrue(raw.hasDataForType(MIMEType.IMAGE_PNG));
        assertEquals("image 4x3", raw.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void aCompileErrorNamesTheProblem() {
        GenbenchKernel.CellException e = assertThrows(GenbenchKernel.CellException.class, () -> kernel.evalRaw("int y = \"s\";"));
        assertTrue(e.getMessage().startsWith("does not compile:"), e.getMessage());
        assertTrue(e.getMessage().contains("incompatible types"), e.getMessage());
    }

    @Test
    void anExceptionInACellCarriesItsClassMessageAndTheCellsFrames() {
        GenbenchKernel.CellException e = assertThrows(GenbenchKernel.CellException.class,
                () -> kernel.evalRaw("Experiment.named(\"bad name\")"));
        assertEquals("java.lang.IllegalArgumentException: an experiment name must match [A-Za-z0-9._-]+, was 'bad name'", e.getMessage());
        List<String> lines = kernel.formatError(e);
        assertTrue(lines.stream().anyMatch(l -> l.contains("org.genbench.notebook.Experiment")), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.contains("org.genbench.kernel.")), "kernel frames are cut off: " + lines);
    }

    @Test
    void jupytersInterruptReachesTheRunningCell() throws Exception {
        System.clearProperty("genbench.kernel.test.spinning");
        CompletableFuture<Object> cell = CompletableFuture.supplyAsync(() -> kernel.evalRaw(
                "long spins = 0;\nwhile (!Thread.currentThread().isInterrupted()) {\n"
                        + "  if (spins++ == 0) { System.setProperty(\"genbench.kernel.test.spinning\", \"yes\"); }\n}\n"
                        + "\"stopped\""));
        // Interrupt once the loop runs (cells execute in this JVM): a fixed sleep lost the race on a loaded machine,
        // where compiling the cell took longer than the sleep and the interrupt came before there was a loop to stop.
        for (int i = 0; i < 600 && System.getProperty("genbench.kernel.test.spinning") == null; i++) {
            Thread.sleep(50);
        }
        kernel.interrupt();
        assertEquals("stopped", cell.get(20, TimeUnit.SECONDS));
        assertEquals("next", kernel.evalRaw("\"next\""), "the interrupt does not leak into the next cell");
    }
}
