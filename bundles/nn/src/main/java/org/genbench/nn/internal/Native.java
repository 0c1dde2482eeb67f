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
    private static final boolean DNNL;
    private static final String DNNL_STATUS;

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
                Integer threads = Integer.getInteger("genbench.threads");
                if (threads != null && threads > 0) {
                    setThreads(threads);
                }
            }
        } catch (Throwable e) {
            status = "native kernels unavailable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); using Java fallbacks";
        }
        AVAILABLE = ok;
        STATUS = status;
        boolean dnnl = false;
        String dnnlStatus;
        if (!ok) {
            dnnlStatus = "oneDNN convolutions unavailable: the native kernels are not loaded";
        } else {
            try {
                String[] paths = dnnlPaths();
                String error = dnnlInit(paths[0], paths[1]);
                dnnl = error == null;
                dnnlStatus = dnnl ? "oneDNN convolutions (" + paths[0] + ")"
                        : "oneDNN convolutions unavailable (" + error + "); convolutions run on im2col + OpenBLAS";
            } catch (Throwable e) {
                dnnlStatus = "oneDNN convolutions unavailable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); convolutions run on im2col + OpenBLAS";
            }
        }
        DNNL = dnnl;
        DNNL_STATUS = dnnlStatus;
    }

    /** True when convolutions run through oneDNN. */
    public static boolean dnnlAvailable() {
        return DNNL;
    }

    /** One line: whether convolutions use oneDNN, and why not. */
    public static String dnnlStatus() {
        return DNNL_STATUS;
    }

    /**
     * libdnnl as JavaCPP's dnnl preset ships it, extracted to JavaCPP's cache (with the OpenMP runtime beside it, for
     * its RUNPATH; a process that already loaded libgomp.so.1 keeps the one it has). Only the C library is used: the
     * preset's Java bindings would drag in OpenCL's.
     */
    private static String[] dnnlPaths() throws IOException {
        Class<?> preset = org.bytedeco.dnnl.global.dnnl.class; // a class literal: not initialized, nothing loaded
        String dir = "/org/bytedeco/dnnl/linux-x86_64/";
        java.net.URL lib = preset.getResource(dir + "libdnnl.so.3");
        if (lib == null) {
            throw new IOException("no libdnnl.so.3 for linux-x86_64 on the class path");
        }
        java.net.URL gomp = preset.getResource(dir + "libgomp.so.1");
        if (gomp != null) {
            org.bytedeco.javacpp.Loader.cacheResource(gomp);
        }
        return new String[] {org.bytedeco.javacpp.Loader.cacheResource(lib).getAbsolutePath(), null};
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

    private static native String dnnlInit(String dnnlPath, String gompPath);

    /** Sets the OpenMP thread count of the runtime oneDNN uses. */
    public static void setDnnlThreads(int n) {
        if (DNNL) {
            dnnlSetThreads(n);
        }
    }

    private static native void dnnlSetThreads(int n);

    /**
     * A convolution plan (oneDNN primitives for forward and both backward passes at one shape): a handle, or a
     * negative number (-status - 1) when oneDNN has no primitive for the shape.
     */
    static native long convPlan(boolean transposed, int n, int c, int h, int w, int o, int kh, int kw, int stride,
                                int pad, int outPad, boolean bias);

    static native void convFree(long plan);

    static native String convImpl(long plan);

    /** Returns oneDNN's status, 0 on success. */
    static native int convForward(long plan, float[] x, float[] w, float[] b, float[] y);

    /** Returns oneDNN's status, 0 on success; null outputs are not computed. */
    static native int convBackward(long plan, float[] x, float[] w, float[] gy, float[] gx, boolean gxAdd, float[] gw,
                                   boolean gwAdd, float[] gb, boolean gbAdd);

    static native void leakyRelu(float[] x, float[] y, int n, float slope);

    static native void leakyReluBackward(float[] x, float[] g, float[] out, int n, float slope, boolean add);

    static native void softplusSigmoid(float[] x, int xOff, float[] sp, int spOff, float[] sg, int sgOff, int n);
}
