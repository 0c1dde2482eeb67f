package org.genbench.kernel;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.genbench.notebook.Display;
import org.genbench.notebook.Displayable;

/**
 * A Java kernel for Jupyter: JJava's kernel library ({@link BaseKernel}: the wire protocol, ZeroMQ channels, stream
 * capture) around a JShell that evaluates cells in this JVM. A cell's last expression is shown richly when it is a
 * genbench {@link Displayable} (tables as HTML, images as PNG), a {@link RenderedImage} or PNG bytes; anything else
 * as text.
 */
public final class GenbenchKernel extends BaseKernel {
    /** Imports every cell starts with, so a notebook reads like a script. */
    static final List<String> STARTUP = List.of(
            "import java.util.*;",
            "import java.nio.file.*;",
            "import org.genbench.notebook.*;",
            "import static org.genbench.notebook.Display.display;");

    private final JShell shell;
    private final CellExecutionControl control;

    private GenbenchKernel(Builder b, JShell shell, CellExecutionControl control) {
        super(b.kernelName(), b.kernelVersion(),
                new LanguageInfo("Java", Runtime.version().toString(), "text/x-java-source", ".jshell", "java", "java", "java"),
                List.of(new HelpLink("JShell", "https://docs.oracle.com/en/java/javase/17/jshell/")),
                b.history(), b.io(), b.comms(), b.renderer(),
                // no magics: cells are plain Java; the parser is only there because the base class wants one
                new MagicParser("(?<=(?:^|\n))%", "%%", new MagicTranspiler()), b.magics(), false, b.errorStyler());
        this.shell = shell;
        this.control = control;
        Display.setSink(v -> display(render(v)));
    }

    /** Builds the kernel with a JShell whose compiler and loader see this JVM's class path. */
    public static GenbenchKernel create() {
        CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
        JShell shell = JShell.builder().executionEngine(provider, null).build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                shell.addToClasspath(entry);
            }
        }
        GenbenchKernel kernel = new GenbenchKernel(new Builder(), shell, provider.control());
        for (String s : STARTUP) {
            kernel.evalRaw(s);
        }
        return kernel;
    }

    @Override
    public Object evalRaw(String code) {
        control.beginCell();
        try {
            Object last = null;
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(code);
            while (info.completeness().isComplete()) {
                last = evalSnippet(info.source());
                info = analysis.analyzeCompletion(info.remaining());
            }
            if (info.completeness() != SourceCodeAnalysis.Completeness.EMPTY) {
                throw new IllegalArgumentException("incomplete input:\n" + info.remaining().trim());
            }
            return last;
        } finally {
            control.endCell();
        }
    }

    /** One snippet: its value when it is an expression, null for declarations and statements. */
    private Object evalSnippet(String source) {
        List<SnippetEvent> events = shell.eval(source);
        Object value = null;
        for (SnippetEvent e : events) {
            // every stored result is taken, displayed or not, so none is kept alive
            Object v = e.snippet().subKind().isExecutable() ? control.takeResult(e.value()) : null;
            if (e.causeSnippet() == null && shows(e.snippet().subKind())) {
                value = v;
            }
        }
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            JShellException ex = e.exception();
            if (ex != null) {
                throw new CellException(describe(ex), ex);
            }
            if (!e.status().isDefined()) {
                throw new CellException(diagnostics(e.snippet()), null);
            }
        }
        return value;
    }

    private static boolean shows(Snippet.SubKind kind) {
        return kind == Snippet.SubKind.VAR_VALUE_SUBKIND || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND
                || kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private String diagnostics(Snippet snippet) {
        List<Diag> diags = shell.diagnostics(snippet).toList();
        StringBuilder sb = new StringBuilder("does not compile:\n").append(snippet.source().strip()).append('\n');
        for (Diag d : diags) {
            sb.append("  ").append(d.isError() ? "error: " : "warning: ").append(d.getMessage(null).lines()
                    .filter(l -> !l.trim().startsWith("location:")).collect(Collectors.joining(" "))).append('\n');
        }
        if (diags.isEmpty() && snippet instanceof jdk.jshell.DeclarationSnippet decl) {
            sb.append("  unresolved: ").append(shell.unresolvedDependencies(decl).collect(Collectors.joining(", ")));
        }
        return sb.toString().strip();
    }

    private static String describe(JShellException e) {
        if (e instanceof EvalException ee) {
            return ee.getExceptionClassName() + (ee.getMessage() == null ? "" : ": " + ee.getMessage());
        }
        if (e instanceof UnresolvedReferenceException ur) {
            return "unresolved reference in " + ur.getSnippet().source();
        }
        return String.valueOf(e.getMessage());
    }

    /** Rich output for a value: each MIME type a genbench value offers, PNG for pictures, text otherwise. */
    static DisplayData render(Object v) {
        if (v instanceof DisplayData d) {
            return d;
        }
        DisplayData out = new DisplayData();
        if (v instanceof Displayable d) {
            d.mimeBundle().forEach(out::putData);
        } else if (v instanceof RenderedImage img) {
            out.putText("image " + img.getWidth() + "x" + img.getHeight());
            out.putData("image/png", Base64.getEncoder().encodeToString(png(img)));
        } else if (v instanceof byte[] b && b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            out.putText("PNG image (" + b.length + " bytes)");
            out.putData("image/png", Base64.getEncoder().encodeToString(b));
        } else {
            out.putText(String.valueOf(v));
        }
        return out;
    }

    private static byte[] png(RenderedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public DisplayData eval(String code) {
        Object v = evalRaw(code);
        return v == null ? null : render(v);
    }

    @Override
    public List<String> formatError(Throwable e) {
        List<String> lines = new ArrayList<>(e.getMessage() == null ? List.of(e.toString()) : e.getMessage().lines().toList());
        // A failed cell's cause carries the user code's stack trace (JShell copies it into an EvalException).
        Throwable trace = e instanceof CellException ? e.getCause() : e;
        if (trace != null) {
            for (StackTraceElement s : trace.getStackTrace()) {
                String c = s.getClassName();
                if (c.startsWith("org.genbench.kernel.") || c.startsWith("jdk.internal.reflect.") || c.startsWith("java.lang.reflect.")) {
                    break; // below the cell: the kernel's own frames say nothing about it
                }
                lines.add("    at " + s);
            }
        }
        return lines;
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        List<SourceCodeAnalysis.Documentation> docs = shell.sourceCodeAnalysis().documentation(code, at, true);
        if (docs == null || docs.isEmpty()) {
            return null;
        }
        return new DisplayData(docs.stream().map(d -> d.signature() + (d.javadoc() == null ? "" : "\n" + d.javadoc()))
                .collect(Collectors.joining("\n\n")));
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> s = shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor);
        if (s == null || s.isEmpty()) {
            return null;
        }
        return new ReplacementOptions(s.stream().map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList(),
                anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(code);
        while (info.completeness().isComplete()) {
            info = shell.sourceCodeAnalysis().analyzeCompletion(info.remaining());
        }
        return switch (info.completeness()) {
            case EMPTY, COMPLETE, COMPLETE_WITH_SEMI -> IS_COMPLETE_YES;
            case CONSIDERED_INCOMPLETE, DEFINITELY_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    @Override
    public void interrupt() {
        control.interrupt();
    }

    @Override
    public void onShutdown(boolean restarting) {
        shell.close();
    }

    /** A cell that failed: to compile, or by throwing. Its message is what the notebook shows. */
    static final class CellException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CellException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Borrows the library's defaults (protected builder methods) for the parts of a kernel this one does not change. */
    private static final class Builder extends BaseKernelBuilder<Builder, GenbenchKernel> {
        Builder() {
            name("genbench");
            version(KernelSpec.version());
        }

        @Override
        public GenbenchKernel build() {
            throw new UnsupportedOperationException("use GenbenchKernel.create()");
        }

        String kernelName() {
            return buildName();
        }

        String kernelVersion() {
            return buildVersion();
        }

        org.dflib.jjava.jupyter.kernel.history.HistoryManager history() {
            return buildHistoryManager();
        }

        org.dflib.jjava.jupyter.kernel.JupyterIO io() {
            return buildJupyterIO(buildJupyterIOEncoding());
        }

        org.dflib.jjava.jupyter.kernel.comm.CommManager comms() {
            return buildCommManager();
        }

        org.dflib.jjava.jupyter.kernel.display.Renderer renderer() {
            return buildRenderer();
        }

        org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry magics() {
            return buildMagicsRegistry();
        }

        org.dflib.jjava.jupyter.kernel.util.StringStyler errorStyler() {
            return buildErrorStyler();
        }
    }
}
