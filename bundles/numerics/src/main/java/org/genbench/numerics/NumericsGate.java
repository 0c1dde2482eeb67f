package org.genbench.numerics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs {@link NumericsCheck} once per host and library versions and remembers the outcome, so that the workbench
 * can refuse to start a run on a machine whose BLAS is wrong at no cost on later runs. The outcome is kept in
 * {@code CACHE/numerics/KEY.json}, KEY a hash of what the answers depend on: the check version, the host and its
 * CPU (model and feature flags), each loaded OpenBLAS (configuration and core name) and {@code OPENBLAS_CORETYPE},
 * the thread counts, the JavaCPP, OpenBLAS preset and ND4J versions, and the JVM. Anything of these changes, the
 * checks run again. {@code bin/genbench doctor} always runs them afresh and refreshes the file.
 */
public final class NumericsGate {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Per cache file, in this process: a run after the first pays not even the file read. */
    private static final Map<Path, Report> REMEMBERED = new ConcurrentHashMap<>();
    /** This process's BLAS and cache key: what they depend on does not change while it runs. */
    private static volatile Identity identity;

    private record Identity(BlasInfo blas, String key) {
    }

    private NumericsGate() {
    }

    /**
     * The outcome of the checks on this machine: what they found, the BLAS they ran on, when, and the cache key.
     *
     * @param version   {@link NumericsCheck#VERSION} of the checks that produced it
     * @param key       the cache key (see {@link NumericsGate})
     * @param checkedAt when the checks ran
     * @param seconds   how long they took
     * @param blas      {@link BlasInfo#describe()}
     * @param lines     one per check
     */
    public record Report(int version, String key, String checkedAt, double seconds, Map<String, String> blas,
                         List<NumericsCheck.Line> lines) {
        public Report {
            blas = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blas));
            lines = List.copyOf(lines);
        }

        public boolean ok() {
            return !lines.isEmpty() && lines.stream().allMatch(NumericsCheck.Line::ok);
        }

        public List<NumericsCheck.Line> failures() {
            return lines.stream().filter(l -> !l.ok()).toList();
        }

        /** Why a run must not start: the failed checks, one per line, with what to do. */
        public String refusal() {
            StringBuilder sb = new StringBuilder("the numerics check failed on this machine (BLAS: ")
                    .append(blas.getOrDefault("blas", "unknown")).append(", core ")
                    .append(blas.getOrDefault("blasCoreName", "unknown")).append("), so no run starts:");
            for (NumericsCheck.Line l : failures()) {
                sb.append("\n  - ").append(l.name()).append(": ").append(l.detail());
            }
            failures().stream().map(NumericsCheck.Line::advice).filter(a -> !a.isEmpty()).findFirst()
                    .ifPresent(a -> sb.append("\n  what to do: ").append(a));
            return sb.append("\n  details: bin/genbench doctor").toString();
        }

        /** For provenance.json: the BLAS, and which check result the run relied on. */
        public Map<String, String> provenance() {
            Map<String, String> out = new LinkedHashMap<>(blas);
            out.put("numericsCheck", (ok() ? "passed" : "FAILED") + " (version " + version + ", " + checkedAt + ")");
            out.put("numericsCheckKey", key);
            return out;
        }
    }

    /** {@code genbench.cache} (a system property), else {@code ~/.cache/genbench}, as the FID evaluator's cache. */
    public static Path defaultCacheDir() {
        String configured = System.getProperty("genbench.cache");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "genbench");
    }

    /** The outcome for this machine: remembered, read from the cache, or (first time) checked and cached. */
    public static Report ensure(Path cacheDir) {
        return ensure(cacheDir, NumericsCheck::run);
    }

    /** As {@link #ensure(Path)}, with {@code checks} run when there is no cached outcome. */
    public static Report ensure(Path cacheDir, Supplier<List<NumericsCheck.Line>> checks) {
        Identity id = identity();
        BlasInfo blas = id.blas();
        Path file = cacheFile(cacheDir, id.key());
        Report remembered = REMEMBERED.get(file);
        if (remembered != null) {
            return remembered;
        }
        synchronized (NumericsGate.class) {
            remembered = REMEMBERED.get(file);
            if (remembered != null) {
                return remembered;
            }
            Report report = read(file);
            if (report == null) {
                report = check(blas, checks);
                write(file, report);
            }
            REMEMBERED.put(file, report);
            return report;
        }
    }

    /** Runs the checks now, whatever is cached, and caches the outcome (the doctor). */
    public static Report refresh(Path cacheDir) {
        return refresh(cacheDir, NumericsCheck::run);
    }

    /** As {@link #refresh(Path)}, with {@code checks}. */
    public static Report refresh(Path cacheDir, Supplier<List<NumericsCheck.Line>> checks) {
        BlasInfo blas = identity().blas();
        synchronized (NumericsGate.class) {
            Report report = check(blas, checks);
            Path file = cacheFile(cacheDir, report.key());
            write(file, report);
            REMEMBERED.put(file, report);
            return report;
        }
    }

    /** Where the outcome for this machine is cached under {@code cacheDir}. */
    public static Path cacheFile(Path cacheDir) {
        return cacheFile(cacheDir, identity().key());
    }

    private static Identity identity() {
        Identity id = identity;
        if (id == null) {
            BlasInfo blas = BlasInfo.current();
            id = new Identity(blas, key(blas));
            identity = id;
        }
        return id;
    }

    /** Forgets what this process remembered (tests). */
    static void forget() {
        REMEMBERED.clear();
    }

    private static Path cacheFile(Path cacheDir, String key) {
        return cacheDir.resolve("numerics").resolve(key + ".json");
    }

    private static Report check(BlasInfo blas, Supplier<List<NumericsCheck.Line>> checks) {
        String started = Instant.now().toString();
        long t0 = System.nanoTime();
        List<NumericsCheck.Line> lines = checks.get();
        return new Report(NumericsCheck.VERSION, identity().key(), started, (System.nanoTime() - t0) / 1e9,
                blas.describe(), lines);
    }

    private static Report read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Report r = JSON.readValue(file.toFile(), Report.class);
            return r.version() == NumericsCheck.VERSION && !r.lines().isEmpty() ? r : null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or from another layout: check again and overwrite it
        }
    }

    private static void write(Path file, Report report) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            JSON.writeValue(tmp.toFile(), report);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the numerics check's outcome to " + file, e);
        }
    }

    /** The cache key: a hash of everything the checks' answers depend on (see the class comment). */
    static String key(BlasInfo blas) {
        StringBuilder sb = new StringBuilder();
        sb.append("check=").append(NumericsCheck.VERSION).append('\n');
        sb.append("host=").append(hostName()).append('\n');
        sb.append("cpu=").append(cpu()).append('\n');
        sb.append("arch=").append(System.getProperty("os.arch")).append('\n');
        for (BlasInfo.OpenBlas l : blas.libraries()) {
            sb.append("openblas=").append(l.file()).append('|').append(l.config()).append('|').append(l.coreName())
                    .append('|').append(l.threads()).append('\n');
        }
        sb.append("coretype=").append(blas.coretypeOverride()).append('\n');
        sb.append("nd4jThreads=").append(blas.nd4jThreads()).append('\n');
        sb.append("javacpp=").append(jarOf(Loader.class)).append('\n');
        sb.append("preset=").append(jarOf(openblas.class)).append('\n');
        sb.append("nd4j=").append(jarOf(Nd4j.class)).append('\n');
        sb.append("jvm=").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "unknown" : env;
        }
    }

    /** The first processor's model name and feature flags from /proc/cpuinfo (where there is one). */
    private static String cpu() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return System.getProperty("os.name");
        }
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : Files.readAllLines(info)) {
                if (line.isBlank()) {
                    break;
                }
                if (line.startsWith("model name") || line.startsWith("flags") || line.startsWith("vendor_id")
                        || line.startsWith("cpu family") || line.startsWith("model\t")) {
                    sb.append(line.trim()).append(';');
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The jar a class came from (its file name carries the version), or the class's package version. */
    private static String jarOf(Class<?> c) {
        try {
            var source = c.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                String loc = source.getLocation().getPath();
                return loc.substring(loc.lastIndexOf('/') + 1);
            }
        } catch (SecurityException e) {
            // fall through to the package version
        }
        Package p = c.getPackage();
        return p == null ? "unknown" : String.valueOf(p.getImplementationVersion());
    }
}
