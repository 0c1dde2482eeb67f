package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genbench.testing.Required;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genbench doctor} in the real framework, and the gate it feeds: the numerics check's outcome is cached per
 * host and library versions, a run refuses to start (and leaves no run directory) while the cached outcome is a
 * failure, the doctor checks afresh and replaces it, and a run then records the BLAS and its core name in its
 * provenance. The numerics cache is a scratch directory here, so nothing a user has cached is touched.
 */
class DoctorIT {
    @TempDir
    Path workspace;
    @TempDir
    Path cache;

    @Test
    void theDoctorChecksTheNumericsAndARunRefusesToStartWhileTheyFail() throws Exception {
        try (TestHost host = new TestHost(workspace, List.of("core", "classic"), Map.of("genbench.cache", cache.toString()))) {
            TestHost.Result doctor = host.exec("doctor");
            System.out.println(doctor.out());
            String out = doctor.out();
            for (String check : new String[] {"JVM", "--add-opens", "ND4J backend", "BLAS", "threads", "sgemm (ND4J)",
                    "sgemm (CBLAS)", "dgemm (ND4J)", "dgemm (CBLAS)", "dsyevd d=128", "dsyevd d=512", "dsyevd d=2048",
                    "dpotrf (Cholesky)", "FID (closed form)", "workspace"}) {
                assertTrue(out.lines().anyMatch(l -> l.matches("OK +" + java.util.regex.Pattern.quote(check) + " .*")),
                        check + " is OK:\n" + out);
            }
            boolean anyFail = out.lines().anyMatch(l -> l.startsWith("FAIL"));
            assertEquals(anyFail ? 1 : 0, doctor.status(), "exit status 1 exactly when a line failed");
            if (Required.strict()) {
                assertFalse(anyFail, "CI installs everything the doctor asks for:\n" + out);
            }

            // The outcome the runs read: corrupt it as a broken OpenBLAS would have made it.
            Path cached;
            try (var files = Files.list(cache.resolve("numerics"))) {
                cached = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
            }
            assertTrue(out.contains(cached.toString()), "the doctor names the cache file");
            ObjectNode report = (ObjectNode) TestHost.read(cached);
            for (JsonNode line : report.path("lines")) {
                if (line.path("name").asText().equals("dsyevd d=2048")) {
                    ((ObjectNode) line).put("ok", false).put("detail", "residual 9.3e-01 (planted by DoctorIT)")
                            .put("advice", "update OpenBLAS");
                }
            }
            TestHost.JSON.writeValue(cached.toFile(), report);
        }
        // A new framework (new bundle class loaders, so nothing remembered in memory): the gate reads the file.
        Path again = Files.createDirectories(workspace.resolve("again"));
        try (TestHost host = new TestHost(again, List.of("core", "classic"), Map.of("genbench.cache", cache.toString()))) {
            Path spec = host.spec("gated", SpecErrorsIT.GOOD.replace("\"bad\"", "\"gated\""));
            TestHost.Result refused = host.exec("run", spec.toString());
            assertEquals(1, refused.status(), refused::toString);
            assertTrue(refused.err().contains("the numerics check failed on this machine"), refused.err());
            assertTrue(refused.err().contains("dsyevd d=2048: residual 9.3e-01 (planted by DoctorIT)"), refused.err());
            assertTrue(refused.err().contains("what to do: update OpenBLAS"), refused.err());
            try (var runs = Files.list(again.resolve("runs"))) {
                assertEquals(0, runs.count(), "a refused run leaves no run directory");
            }

            TestHost.Result doctor = host.exec("doctor");
            assertTrue(doctor.out().lines().anyMatch(l -> l.matches("OK +dsyevd d=2048 .*")), doctor.out());
            TestHost.Result run = host.exec("run", spec.toString());
            assertEquals(0, run.status(), run::toString);
            JsonNode numerics = TestHost.read(host.runDir("gated").resolve("provenance.json")).path("numerics");
            assertTrue(numerics.path("blas").asText().startsWith("OpenBLAS 0.3."), numerics.toString());
            assertFalse(numerics.path("blasCoreName").asText("").isBlank(), numerics.toString());
            assertTrue(doctor.out().contains("kernels for core " + numerics.path("blasCoreName").asText()),
                    "provenance names the core the doctor reported: " + numerics);
            assertTrue(numerics.path("numericsCheck").asText().startsWith("passed"), numerics.toString());
        }
    }
}
