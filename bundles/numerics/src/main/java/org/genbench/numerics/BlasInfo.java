package org.genbench.numerics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which BLAS the platform runs on: ND4J's backend and BLAS vendor and thread counts, and for each OpenBLAS that
 * JavaCPP loaded (ND4J's products go through {@code libopenblas.so.0}; the preset also loads
 * {@code libopenblas_nolapack.so.0}) its configuration string ({@code OpenBLAS 0.3.26 DYNAMIC_ARCH ... SkylakeX}),
 * the kernel set it picked for this CPU ({@code openblas_get_corename}) and its thread count.
 *
 * <p>JavaCPP's openblas preset does not bind {@code openblas_get_corename} or {@code openblas_get_config}, so they
 * are called through JNA on the very file JavaCPP loaded ({@code Loader.getLoadedLibraries()}): dlopen of a loaded
 * path returns the loaded library, so the answers are those of the code that computes. Should JNA be missing, the
 * core name reads {@code unknown} and nothing else changes.
 *
 * @param backend          ND4J's backend ({@code CPU})
 * @param vendor           ND4J's BLAS vendor ({@code OPENBLAS})
 * @param nd4jThreads      ND4J's OpenMP threads
 * @param cores            processors available to the JVM
 * @param libraries        per loaded OpenBLAS file name: config, core name, threads, threading model
 * @param coretypeOverride the environment's {@code OPENBLAS_CORETYPE}, or empty when unset (the normal case)
 */
public record BlasInfo(String backend, String vendor, int nd4jThreads, int cores, List<OpenBlas> libraries,
                       String coretypeOverride) {
    public BlasInfo {
        libraries = List.copyOf(libraries);
    }

    /** One loaded OpenBLAS: its file, {@code openblas_get_config()}, {@code openblas_get_corename()}, threads. */
    public record OpenBlas(String file, String config, String coreName, int threads, String parallel) {
        /** The release, from the configuration string ({@code 0.3.26}), or {@code unknown}. */
        public String version() {
            String[] words = config.trim().split("\\s+");
            return words.length >= 2 && words[0].equals("OpenBLAS") ? words[1] : "unknown";
        }
    }

    /** The BLAS of this process, loading ND4J and the OpenBLAS preset if they are not loaded yet. */
    public static BlasInfo current() {
        Nd4j.getBackend();
        Loader.load(openblas.class); // the LAPACK-carrying library Linalg calls
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        List<OpenBlas> libs = new ArrayList<>();
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            String path = e.getValue();
            if (path == null) {
                continue;
            }
            String file = Path.of(path).getFileName().toString();
            if (file.startsWith("libopenblas") && file.contains(".so")) {
                libs.add(query(path, file));
            }
        }
        libs.sort((a, b) -> a.file().compareTo(b.file()));
        String override = System.getenv("OPENBLAS_CORETYPE");
        return new BlasInfo(String.valueOf(env.getOrDefault("backend", "unknown")),
                String.valueOf(env.getOrDefault("blas.vendor", "unknown")),
                Integer.parseInt(String.valueOf(env.getOrDefault("omp.threads", "0"))),
                Runtime.getRuntime().availableProcessors(), libs, override == null ? "" : override);
    }

    /** The library ND4J's products and {@link Linalg}'s LAPACK calls run in ({@code libopenblas.so.0}). */
    public OpenBlas primary() {
        return libraries.stream().filter(l -> l.file().startsWith("libopenblas.so")).findFirst()
                .orElse(libraries.isEmpty() ? new OpenBlas("none", "none", "unknown", 0, "unknown") : libraries.get(0));
    }

    /** For provenance.json and the doctor: flat name/value pairs. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        OpenBlas p = primary();
        out.put("blas", p.config().trim());
        out.put("blasVersion", p.version());
        out.put("blasCoreName", p.coreName());
        out.put("blasLibrary", p.file());
        out.put("blasThreads", Integer.toString(p.threads()));
        out.put("nd4jBackend", backend);
        out.put("nd4jBlasVendor", vendor);
        out.put("nd4jThreads", Integer.toString(nd4jThreads));
        out.put("cores", Integer.toString(cores));
        out.put("openblasCoretype", coretypeOverride.isEmpty() ? "unset" : coretypeOverride);
        return out;
    }

    private static OpenBlas query(String path, String file) {
        try {
            return Jna.query(path, file);
        } catch (LinkageError | RuntimeException e) {
            return new OpenBlas(file, "unknown (" + e + ")", "unknown", 0, "unknown");
        }
    }

    /**
     * Kept apart so that a missing JNA fails only here, as a LinkageError the caller catches.
     *
     * <p>The library is opened {@code RTLD_LAZY | RTLD_NOLOAD}, without {@code RTLD_GLOBAL}: JNA's default flags
     * include {@code RTLD_GLOBAL}, and a dlopen with it moves an already loaded library into the process's global
     * symbol scope. OpenBLAS exports its internals ({@code blas_memory_alloc}, {@code blas_memory_free},
     * {@code exec_blas}, {@code goto_set_num_threads}) and calls them through lazily bound PLT slots, so once one copy
     * is global, every internal call another copy makes for the first time binds to that copy. With JavaCPP's two
     * copies ({@code libopenblas_nolapack.so.0}, loaded first, and {@code libopenblas.so.0}) that split
     * libopenblas.so.0's buffer allocator: at two threads its worker had bound {@code blas_memory_alloc} to itself at
     * start-up, the first product after this query bound {@code blas_memory_free} to the other copy ("BLAS : Bad memory
     * unallocation!"), every product leaked a buffer slot, and after 640 of them {@code blas_memory_alloc} returned
     * NULL and sgemm crashed. {@code RTLD_NOLOAD}: only a library that is loaded already is asked, never a new copy.
     */
    private static final class Jna {
        private static final int RTLD_LAZY = 0x1;
        private static final int RTLD_NOLOAD = 0x4;

        static OpenBlas query(String path, String file) {
            com.sun.jna.NativeLibrary lib = com.sun.jna.NativeLibrary.getInstance(path,
                    java.util.Map.of(com.sun.jna.Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
            String config = lib.getFunction("openblas_get_config").invokeString(new Object[0], false);
            String core = lib.getFunction("openblas_get_corename").invokeString(new Object[0], false);
            int threads = lib.getFunction("openblas_get_num_threads").invokeInt(new Object[0]);
            int parallel = lib.getFunction("openblas_get_parallel").invokeInt(new Object[0]);
            return new OpenBlas(file, config == null ? "unknown" : config.trim(), core == null ? "unknown" : core.trim(),
                    threads, switch (parallel) {
                        case 0 -> "sequential";
                        case 1 -> "pthreads";
                        case 2 -> "openmp";
                        default -> "unknown (" + parallel + ")";
                    });
        }
    }
}
