package org.genbench.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.genbench.numerics.BlasInfo;
import org.genbench.numerics.NumericsCheck.Line;
import org.genbench.numerics.NumericsGate;

/**
 * {@code genbench doctor}: is this machine fit to run genbench and to be believed? The platform (JVM,
 * {@code --add-opens}, ND4J's backend, which BLAS and which OpenBLAS kernels, threads), the numerics checked afresh
 * ({@link org.genbench.numerics.NumericsCheck}; the outcome replaces the cached one the runs' gate reads), and the
 * environment (Jupyter, Fashion-MNIST, a writable workspace). One line each, OK or FAIL with what to do; exit
 * status 1 when anything failed.
 */
final class Doctor {
    static final String PYTHON = "/usr/bin/python3";
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int WIDTH = 20;

    private final Path workspace;
    private final Path cache;
    private final Map<String, String> env;

    Doctor(Path workspace, Path cache, Map<String, String> env) {
        this.workspace = workspace;
        this.cache = cache;
        this.env = env;
    }

    int run(PrintStream out) {
        List<Line> all = new ArrayList<>();
        out.println("genbench doctor");
        section(out, "platform", platform(), all);
        NumericsGate.Report numerics = NumericsGate.refresh(cache);
        section(out, String.format(java.util.Locale.ROOT, "numerics (checked now in %.1f s; runs read the outcome from %s)",
                numerics.seconds(), NumericsGate.cacheFile(cache)), numerics.lines(), all);
        section(out, "environment", environment(), all);
        long failed = all.stream().filter(l -> !l.ok()).count();
        out.println();
        out.println(failed == 0 ? "all " + all.size() + " checks OK"
                : failed + " of " + all.size() + " checks FAILED" + (numerics.ok() ? ""
                        : "; runs are refused until the numerics pass"));
        return failed == 0 ? 0 : 1;
    }

    private static void section(PrintStream out, String title, List<Line> lines, List<Line> all) {
        out.println();
        out.println(title);
        lines.forEach(l -> out.println(l.format(WIDTH)));
        all.addAll(lines);
    }

    List<Line> platform() {
        List<Line> lines = new ArrayList<>();
        int feature = Runtime.version().feature();
        String jvm = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        lines.add(feature >= 17 ? ok("JVM", jvm)
                : fail("JVM", jvm, "genbench needs Java 17 or newer (apt-get install openjdk-17-jdk)"));
        boolean open = Buffer.class.getModule().isOpen("java.nio", Doctor.class.getModule());
        lines.add(open ? ok("--add-opens", "java.base/java.nio is open to the workbench (Arrow's off-heap memory)")
                : fail("--add-opens", "java.base/java.nio is not open: Arrow cannot address its buffers",
                "start the JVM with --add-opens=java.base/java.nio=ALL-UNNAMED (bin/genbench does)"));
        BlasInfo blas = BlasInfo.current();
        lines.add(blas.backend().equals("CPU") && blas.vendor().equals("OPENBLAS")
                ? ok("ND4J backend", blas.backend() + ", BLAS vendor " + blas.vendor())
                : fail("ND4J backend", blas.backend() + ", BLAS vendor " + blas.vendor(),
                "the platform is built for nd4j-native on OpenBLAS; another backend is untested"));
        BlasInfo.OpenBlas p = blas.primary();
        StringBuilder others = new StringBuilder();
        for (BlasInfo.OpenBlas l : blas.libraries()) {
            if (l != p) {
                others.append("; also ").append(l.file()).append(": ").append(l.config());
            }
        }
        String coretype = blas.coretypeOverride().isEmpty() ? "OPENBLAS_CORETYPE unset"
                : "OPENBLAS_CORETYPE=" + blas.coretypeOverride() + " set in the environment";
        String detail = p.config() + " (" + p.file() + "), kernels for core " + p.coreName() + "; " + coretype + others;
        if (p.coreName().equals("unknown")) {
            lines.add(fail("BLAS", detail, "the OpenBLAS core name could not be read (JNA missing from the host class"
                    + " path?); provenance will not record it"));
        } else if (!blas.coretypeOverride().isEmpty() && "true".equals(env.get("CI"))) {
            lines.add(fail("BLAS", detail, "CI must check the numerics as a user gets them: unset OPENBLAS_CORETYPE"));
        } else {
            lines.add(ok("BLAS", detail));
        }
        lines.add(ok("threads", "ND4J " + blas.nd4jThreads() + " OpenMP threads, OpenBLAS " + p.threads() + " ("
                + p.parallel() + "), " + blas.cores() + " cores available"
                + (env.containsKey("OMP_NUM_THREADS") ? ", OMP_NUM_THREADS=" + env.get("OMP_NUM_THREADS") : "")));
        return lines;
    }

    List<Line> environment() {
        List<Line> lines = new ArrayList<>();
        String jupyter = missingJupyter();
        lines.add(jupyter == null ? ok("Jupyter", "nbconvert, nbclient, jupyter_client, ipykernel and notebook import in "
                + PYTHON + " (bin/genbench notebook, the notebook tests)")
                : fail("Jupyter", jupyter, "apt-get install jupyter-notebook jupyter-nbconvert python3-ipykernel"
                + " python3-nbclient (needed by bin/genbench notebook and the notebook tests)"));
        List<String> absent = new ArrayList<>();
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            if (!Files.isRegularFile(FASHION_MNIST.resolve(f))) {
                absent.add(f);
            }
        }
        lines.add(absent.isEmpty() ? ok("Fashion-MNIST", FASHION_MNIST + " (Debian's dataset-fashion-mnist)")
                : fail("Fashion-MNIST", "missing in " + FASHION_MNIST + ": " + String.join(", ", absent),
                "apt-get install dataset-fashion-mnist (needed by the image datasets, FID's default network, the tests)"));
        lines.add(writable(workspace));
        return lines;
    }

    /** Creates and deletes a file in runs/ and plugins/ of the workspace. */
    static Line writable(Path workspace) {
        for (String sub : new String[] {"runs", "plugins"}) {
            Path dir = workspace.resolve(sub);
            try {
                Files.createDirectories(dir);
                Path probe = Files.createTempFile(dir, ".doctor-", ".tmp");
                Files.delete(probe);
            } catch (IOException | SecurityException e) {
                return fail("workspace", dir + " is not writable: " + e.getMessage(),
                        "make it writable, or give another with bin/genbench --workspace DIR");
            }
        }
        return ok("workspace", workspace + " is writable (runs/, plugins/)");
    }

    private static String missingJupyter() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return PYTHON + " is missing";
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import nbconvert, nbclient, jupyter_client, ipykernel, notebook")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return PYTHON + " did not answer within 60 s";
            }
            return p.exitValue() == 0 ? null
                    : "Jupyter is not installed for " + PYTHON + ": " + out.substring(out.lastIndexOf('\n') + 1);
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking " + PYTHON;
        }
    }

    private static Line ok(String name, String detail) {
        return new Line(name, true, detail, "");
    }

    private static Line fail(String name, String detail, String advice) {
        return new Line(name, false, detail, advice);
    }
}
