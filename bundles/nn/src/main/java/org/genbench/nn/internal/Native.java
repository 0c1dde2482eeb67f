package org.genbench.nn.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The bundle's native kernels ({@code src/main/native/kernels.c}): OpenBLAS products on pinned Java arrays and
 * vectorized transcendentals. Loaded once per class loader from the bundle's own resources; when that fails (no gcc
 * at build time, another platform), {@link #available()} is false, {@link #status()} says why, and {@link Blas} and
 * {@link Kernels} use their Java fallbacks.
 */
public final class Native {
    /** Operation codes of {@link #unary}, as in kernels.c. */
    public static final int EXP = 0;
    public static final int LOG = 1;
    public static final int LOG1P = 2;
    public static final int EXPM1 = 3;
    public static final int TANH = 4;
    public static final int SIGMOID = 5;
    public static final int SOFTPLUS = 6;
    public static final int SIN = 7;
    public static final int COS = 8;

    private static final String RESOURCE = "linux-x86_64/libgenbench_nn.so";
    private static final boolean AVAILABLE;
    private static final String STATUS;

    static {
        String status;
        boolean ok = false;
        try {
            String openblas = openblasPath();
            Path lib = extract();
            try {
                System.load(lib.toString());
            } finally {
                Files.deleteIfExists(lib); // mapped now; nothing is left behind even if the JVM is killed
            }
            String error = init(openblas);
            if (error != null) {
                status = "native kernels loaded, but OpenBLAS could not be bound: " + error;
            } else {
                ok = true;
                status = "native kernels (pinned-array OpenBLAS products, libmvec transcendentals); OpenBLAS " + openblas;
            }
        } catch (Throwable e) {
            status = "native kernels unavailable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); using Java fallbacks";
        }
        AVAILABLE = ok;
        STATUS = status;
    }

    private Native() {
    }

    /** True when the native kernels are loaded and bound to OpenBLAS. */
    public static boolean available() {
        return AVAILABLE;
    }

    /** One line for the doctor and provenance: what is used and why. */
    public static String status() {
        return STATUS;
    }

    /** OpenBLAS's name for the CPU core whose kernels it chose (e.g. SAPPHIRERAPIDS), or null when unknown. */
    public static String coreName() {
        return AVAILABLE ? corename() : null;
    }

    /** OpenBLAS's build configuration string, or null when unknown. */
    public static String openblasConfig() {
        return AVAILABLE ? config() : null;
    }

    /** OpenBLAS's thread count, or -1 when unknown. */
    public static int openblasThreads() {
        return AVAILABLE ? threads() : -1;
    }

    /** Sets OpenBLAS's thread count (the one ND4J shares). */
    public static void setOpenblasThreads(int n) {
        if (AVAILABLE) {
            setThreads(n);
        }
    }

    /** The OpenBLAS library that JavaCPP extracted and loaded for ND4J (with LAPACK), loading it if needed. */
    private static String openblasPath() {
        org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas.class);
        for (Map.Entry<String, String> e : org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("openblas@") && e.getValue() != null) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("JavaCPP did not report where libopenblas was loaded from");
    }

    /**
     * Copies the library out of the bundle to a file of its own: a native library can be loaded by one class loader
     * only, and a bundle that is updated gets a new class loader.
     */
    private static Path extract() throws IOException {
        try (InputStream in = Native.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the bundle has no " + RESOURCE + " (built without gcc?)");
            }
            Path file = Files.createTempFile("genbench-nn-", ".so");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    private static native String init(String openblasPath);

    private static native String corename();

    private static native String config();

    private static native int threads();

    private static native void setThreads(int n);

    static native void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    static native void dgemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                             double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc);

    static native void unary(int op, float[] x, int xOff, float[] y, int yOff, int n);

    static native void leakyRelu(float[] x, float[] y, int n, float slope);

    static native void leakyReluBackward(float[] x, float[] g, float[] out, int n, float slope, boolean add);

    static native void softplusSigmoid(float[] x, int xOff, float[] sp, int spOff, float[] sg, int sgOff, int n);
}
