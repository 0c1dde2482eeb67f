package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.genbench.launcher.NewPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plug-in made the way a third party makes one: {@code new-plugin} writes a standalone Maven project outside the
 * repository; Maven builds it offline ({@code mvn -o package}, its own unit tests included) against a local
 * repository that holds this build's api artifact and the third-party artifacts the build already has; the jar is
 * dropped into a running workbench's {@code plugins/} folder and the generated experiment runs with it.
 */
class PluginTemplateIT {
    @TempDir
    Path scratch;

    @Test
    void aGeneratedPluginBuildsOutsideTheTreeAndIsHotLoaded() throws Exception {
        Path project = scratch.resolve("outside/diag-gauss");
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        int status = NewPlugin.run(List.of("diag-gauss", "--dir", project.toString()), TestHost.HOME,
                new PrintStream(said, true, StandardCharsets.UTF_8));
        assertEquals(0, status, said.toString(StandardCharsets.UTF_8));
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("mvn package"), said.toString(StandardCharsets.UTF_8));
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(!pom.contains("<parent>") && !pom.contains("<relativePath>"), "the project stands alone");
        assertTrue(pom.contains("<artifactId>api</artifactId>"));

        Path repo = publishedRepository(scratch.resolve("m2"));
        Process mvn = new ProcessBuilder("mvn", "-B", "-o", "-q", "package", "-Dmaven.repo.local=" + repo)
                .directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("mvn.log").toFile()).start();
        mvn.getOutputStream().close();
        assertTrue(mvn.waitFor(10, TimeUnit.MINUTES), "mvn package did not finish in 10 minutes");
        String log = Files.readString(scratch.resolve("mvn.log"));
        assertEquals(0, mvn.exitValue(), "mvn -o package in the generated project:\n" + log);
        Path jar = project.resolve("target/diag-gauss-0.1.0.jar");
        assertTrue(Files.isRegularFile(jar), log);
        // The generated unit tests ran and passed.
        String report = Files.readString(project.resolve(
                "target/surefire-reports/TEST-org.example.diaggauss.internal.DiagGaussModelTest.xml"));
        assertTrue(report.contains("tests=\"4\"") && report.contains("failures=\"0\"") && report.contains("errors=\"0\""), report);
        try (JarFile f = new JarFile(jar.toFile())) {
            assertEquals("org.example.diaggauss", f.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"));
            assertTrue(f.getEntry("OSGI-INF/org.example.diaggauss.internal.DiagGaussFamily.xml") != null,
                    "a Declarative Services descriptor for the component");
        }

        try (TestHost host = new TestHost(scratch.resolve("workspace"))) {
            TestHost.Result before = host.exec("run", project.resolve("experiment.json").toString());
            assertEquals(1, before.status(), before::toString);
            assertTrue(before.err().contains("diag-gauss"), before.err());

            Path part = host.workspace.resolve("plugins/diag-gauss.jar.part");
            Files.copy(jar, part);
            Files.move(part, host.workspace.resolve("plugins/diag-gauss.jar"), StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!host.exec("list").out().contains(" diag-gauss ") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            String list = host.exec("list").out();
            assertTrue(list.lines().anyMatch(l -> l.startsWith("model") && l.contains(" diag-gauss ")
                    && l.contains("Energy") && l.contains("org.example.diaggauss 0.1.0")), list);

            TestHost.Result run = host.exec("run", project.resolve("experiment.json").toString());
            assertEquals(0, run.status(), run::toString);
            Path dir = host.runDir("diag-gauss-demo");
            double train = TestHost.metric(dir, "em", "train_loglik");
            double test = TestHost.metric(dir, "loglik", "test_loglik");
            // The maximum-likelihood diagonal Gaussian of eight Gaussians centred on a circle of radius 2 sqrt 2 with
            // noise 0.5 / sqrt 2: per coordinate the variance is r^2 / 2 + noise^2 = 4.125, so the mean log-likelihood
            // is -(1 + log(2 pi 4.125)) = -4.2549 per example; 2000 draws estimate the variance to about 1.5%.
            assertEquals(-4.2549, train, 0.05, "train mean log-likelihood");
            assertEquals(-4.2549, test, 0.1, "held-out mean log-likelihood (500 examples)");
            assertTrue(TestHost.read(dir.resolve("provenance.json")).path("bundles").has("org.example.diaggauss"));
            assertTrue(Files.isRegularFile(dir.resolve("samples/hmc.arrow")), "HMC ran on the plug-in's Energy");
        }
    }

    /**
     * A local Maven repository for the outside build: every third-party artifact of the one this build uses (linked,
     * not copied), and genbench's artifacts as this build made them: the api jar and pom and the parent pom, laid
     * out as {@code mvn install} lays them out.
     */
    static Path publishedRepository(Path target) throws IOException {
        Path real = Path.of(System.getProperty("genbench.maven.repo",
                System.getProperty("user.home") + "/.m2/repository")).toRealPath();
        Files.createDirectories(target.resolve("org"));
        try (DirectoryStream<Path> top = Files.newDirectoryStream(real)) {
            for (Path e : top) {
                if (!e.getFileName().toString().equals("org")) {
                    Files.createSymbolicLink(target.resolve(e.getFileName().toString()), e);
                }
            }
        }
        try (DirectoryStream<Path> org = Files.newDirectoryStream(real.resolve("org"))) {
            for (Path e : org) {
                if (!e.getFileName().toString().equals("genbench")) {
                    Files.createSymbolicLink(target.resolve("org").resolve(e.getFileName().toString()), e);
                }
            }
        }
        Path apiJar;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(TestHost.HOME.resolve("features/target/bundles"), "api-*.jar")) {
            apiJar = jars.iterator().next();
        }
        String file = apiJar.getFileName().toString();
        String version = file.substring("api-".length(), file.length() - ".jar".length());
        Path api = Files.createDirectories(target.resolve("org/genbench/api").resolve(version));
        Files.copy(apiJar, api.resolve("api-" + version + ".jar"));
        Files.copy(TestHost.HOME.resolve("bundles/api/pom.xml"), api.resolve("api-" + version + ".pom"));
        Path parent = Files.createDirectories(target.resolve("org/genbench/genbench").resolve(version));
        Files.copy(TestHost.HOME.resolve("pom.xml"), parent.resolve("genbench-" + version + ".pom"));
        return target;
    }
}
