package org.genbench.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes the {@code genbench} kernel spec ({@code KERNELS/genbench/kernel.json}) for a built checkout: the JVM,
 * its options, and a class path of the kernel, the notebook client and the host with its platform libraries.
 * {@code bin/genbench notebook} and the notebook tests both install the kernel through this class, so the two
 * cannot drift apart. Uses the JDK only: it runs with nothing but the kernel jar on its class path.
 */
public final class KernelSpec {
    public static final String NAME = "genbench";

    private KernelSpec() {
    }

    /** {@code KernelSpec KERNELS_DIR GENBENCH_HOME}: writes the spec and prints where. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: KernelSpec KERNELS_DIR GENBENCH_HOME (e.g. ~/.local/share/jupyter/kernels .)");
            System.exit(2);
        }
        Path spec = install(Path.of(args[0]), Path.of(args[1]));
        System.out.println("genbench kernel spec: " + spec);
    }

    public static Path install(Path kernelsDir, Path home) throws IOException {
        Path h = home.toAbsolutePath().normalize();
        Path dir = Files.createDirectories(kernelsDir.resolve(NAME));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> argv = List.of(java.toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dgenbench.home=" + h,
                "-cp", String.join(File.pathSeparator, classPath(h)),
                KernelMain.class.getName(), "{connection_file}");
        String json = "{\n  \"argv\": [" + argv.stream().map(KernelSpec::quote).collect(Collectors.joining(", ")) + "],\n"
                + "  \"display_name\": \"Java (genbench)\",\n"
                + "  \"language\": \"java\",\n"
                + "  \"interrupt_mode\": \"message\",\n"
                // OpenMP threads that spin while they wait slow a run on a busy machine many times over (bench/busy_machine.sh)
                + "  \"env\": {\"OMP_WAIT_POLICY\": \"PASSIVE\"},\n"
                + "  \"metadata\": {\"genbench.version\": " + quote(version()) + "}\n}\n";
        return Files.writeString(dir.resolve("kernel.json"), json);
    }

    /**
     * The kernel jar, then its runtime class path as Maven resolved it at build time ({@code target/classpath.txt}):
     * jjava-jupyter, the notebook client, the launcher and the platform libraries, one version of each.
     */
    static List<String> classPath(Path home) throws IOException {
        Path target = home.resolve("bundles/kernel/target");
        Path listed = target.resolve("classpath.txt");
        List<String> cp = new ArrayList<>();
        cp.add(required(target.resolve("kernel.jar")));
        for (String entry : required(listed).isEmpty() ? new String[0] : Files.readString(listed).trim().split(File.pathSeparator)) {
            cp.add(required(Path.of(entry)));
        }
        return cp;
    }

    private static String required(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: build first (mvn -q install -DskipTests)");
        }
        return file.toString();
    }

    static String version() {
        String v = KernelSpec.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
