package org.genbench.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumericsGateTest {
    @TempDir
    Path cache;

    @AfterEach
    void forget() {
        NumericsGate.forget();
    }

    private static Supplier<List<NumericsCheck.Line>> counting(AtomicInteger calls, boolean ok) {
        return () -> {
            calls.incrementAndGet();
            return List.of(new NumericsCheck.Line("dsyevd d=2048", ok, ok ? "residual 5e-15" : "residual 0.93",
                    ok ? "" : "update OpenBLAS"));
        };
    }

    @Test
    void theChecksRunOncePerMachineAndLibrariesThenComeFromTheCache() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        NumericsGate.Report first = NumericsGate.ensure(cache, counting(calls, true));
        assertEquals(1, calls.get());
        assertTrue(first.ok());
        Path file = NumericsGate.cacheFile(cache);
        assertTrue(Files.isRegularFile(file), "cached in " + file);
        assertEquals(first.key() + ".json", file.getFileName().toString());

        assertSame(first, NumericsGate.ensure(cache, counting(calls, true)), "remembered in this process");
        NumericsGate.forget();
        NumericsGate.Report fromFile = NumericsGate.ensure(cache, counting(calls, true));
        assertEquals(1, calls.get(), "read from the cache file, not checked again");
        assertEquals(first, fromFile);
        assertEquals(first.blas().get("blasCoreName"), BlasInfo.current().primary().coreName());
    }

    @Test
    void aCachedFailureRefusesWithoutCheckingAgainAndTheDoctorRechecks() {
        AtomicInteger calls = new AtomicInteger();
        NumericsGate.Report failed = NumericsGate.ensure(cache, counting(calls, false));
        assertFalse(failed.ok());
        String refusal = failed.refusal();
        assertTrue(refusal.contains("dsyevd d=2048: residual 0.93"), refusal);
        assertTrue(refusal.contains("what to do: update OpenBLAS"), refusal);
        assertTrue(refusal.contains("bin/genbench doctor"), refusal);
        NumericsGate.forget();
        assertFalse(NumericsGate.ensure(cache, counting(calls, true)).ok(), "the cached failure stands");
        assertEquals(1, calls.get());

        NumericsGate.Report rechecked = NumericsGate.refresh(cache, counting(calls, true));
        assertEquals(2, calls.get());
        assertTrue(rechecked.ok());
        NumericsGate.forget();
        assertTrue(NumericsGate.ensure(cache, counting(calls, false)).ok(), "the doctor's outcome is what is cached");
        assertEquals(2, calls.get());
    }

    @Test
    void anUnreadableCacheFileIsCheckedAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Path file = NumericsGate.cacheFile(cache);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{ not json");
        assertTrue(NumericsGate.ensure(cache, counting(calls, true)).ok());
        assertEquals(1, calls.get());
    }

    @Test
    void theKeyNamesTheBlasItWasCheckedOn() {
        BlasInfo blas = BlasInfo.current();
        BlasInfo other = new BlasInfo(blas.backend(), blas.vendor(), blas.nd4jThreads(), blas.cores(),
                blas.libraries(), "Haswell");
        assertNotEquals(NumericsGate.key(blas), NumericsGate.key(other), "OPENBLAS_CORETYPE changes the key");
        assertEquals(NumericsGate.key(blas), NumericsGate.key(BlasInfo.current()));
    }

    @Test
    void blasInfoNamesTheLoadedOpenBlasAndItsCore() {
        BlasInfo blas = BlasInfo.current();
        BlasInfo.OpenBlas p = blas.primary();
        assertEquals("libopenblas.so.0", p.file());
        assertTrue(p.config().startsWith("OpenBLAS 0.3."), p.config());
        assertTrue(p.config().contains(p.coreName()), p.config() + " names the core " + p.coreName());
        assertFalse(p.coreName().isBlank() || p.coreName().equals("unknown"));
        assertEquals("OPENBLAS", blas.vendor());
        assertEquals(p.version(), blas.describe().get("blasVersion"));
    }
}
