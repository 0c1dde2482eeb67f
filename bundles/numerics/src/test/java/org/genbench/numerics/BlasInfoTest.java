package org.genbench.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Asking which OpenBLAS is loaded must not change how the loaded copies link. The crash this guards against: with
 * JNA's default dlopen flags (RTLD_GLOBAL) the query moved JavaCPP's two OpenBLAS copies into the global symbol scope,
 * libopenblas.so.0's lazily bound internal calls went to libopenblas_nolapack.so.0, its buffers were allocated in one
 * copy and freed in the other, and a VAE at two threads died in sgemm after 640 products.
 */
class BlasInfoTest {
    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOLOAD = 0x4;

    @Test
    void theQueryLeavesOpenBlasOutOfTheGlobalSymbolScope() {
        BlasInfo info = BlasInfo.current();
        assertTrue(info.libraries().stream().anyMatch(l -> l.file().startsWith("libopenblas.so")), info.toString());
        for (BlasInfo.OpenBlas lib : info.libraries()) {
            assertTrue(lib.config().startsWith("OpenBLAS "), "queried " + lib);
            assertNotEquals("unknown", lib.coreName(), "queried " + lib);
        }
        NativeLibrary process = NativeLibrary.getProcess(); // dlsym on it searches the global scope only
        for (String internal : List.of("blas_memory_alloc", "blas_memory_free", "exec_blas", "goto_set_num_threads")) {
            assertThrows(UnsatisfiedLinkError.class, () -> process.getFunction(internal),
                    internal + " is in the global symbol scope: some copy of OpenBLAS was opened RTLD_GLOBAL");
        }
    }

    /**
     * The sequence of the crash, on libopenblas.so.0 itself: two threads (its worker binds blas_memory_alloc), the
     * query, then more products than OpenBLAS has buffer slots (128 + 512); the first is checked against a plain loop.
     * Before the fix this crashed the JVM or spun forever inside sgemm, hence the timeout on a thread of its own.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void productsAtTwoThreadsAfterTheQueryKeepTheirBuffers() {
        org.nd4j.linalg.factory.Nd4j.getBackend(); // loads libopenblas_nolapack.so.0 first, as the host does
        org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas.class);
        String path = primaryPath();
        NativeLibrary lib = NativeLibrary.getInstance(path, Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
        Function setThreads = lib.getFunction("openblas_set_num_threads");
        Function getThreads = lib.getFunction("openblas_get_num_threads");
        Function sgemm = lib.getFunction("cblas_sgemm");
        int before = getThreads.invokeInt(new Object[0]);
        setThreads.invokeVoid(new Object[] {2});
        try {
            BlasInfo.current();
            int n = 160; // above OpenBLAS's small-matrix and single-thread thresholds: a buffer and both threads
            Random rng = new Random(7);
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rng.nextGaussian();
                b[i] = (float) rng.nextGaussian();
            }
            float[] c = new float[n * n];
            for (int step = 0; step < 700; step++) {
                // row-major (101), no transposes (111); beta 0.5 keeps it off OpenBLAS's direct kernel
                sgemm.invokeVoid(new Object[] {101, 111, 111, n, n, n, 1f, a, n, b, n, 0.5f, c, n});
                if (step == 0) {
                    for (int i = 0; i < n; i += 37) {
                        for (int j = 0; j < n; j += 41) {
                            double s = 0;
                            for (int k = 0; k < n; k++) {
                                s += (double) a[i * n + k] * b[k * n + j];
                            }
                            assertEquals(s, c[i * n + j], 1e-3 * Math.sqrt(n), "C[" + i + "," + j + "]");
                        }
                    }
                }
            }
            assertEquals(2, getThreads.invokeInt(new Object[0]), "libopenblas.so.0's own thread count was set");
        } finally {
            setThreads.invokeVoid(new Object[] {before});
        }
    }

    private static String primaryPath() {
        for (Map.Entry<String, String> e : org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("openblas@") && e.getValue() != null) {
                return e.getValue();
            }
        }
        throw new IllegalStateException("JavaCPP did not report where libopenblas was loaded from");
    }
}
