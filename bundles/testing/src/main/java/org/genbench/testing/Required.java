package org.genbench.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one skip policy of genbench's tests. A test that needs a tool or a data set that is not installed (Debian's
 * dataset-fashion-mnist, Jupyter, numpy and scipy, Node's Arrow reader) calls one of these first: on a developer's
 * machine it is then skipped with a message that names what to install; with {@code CI=true} in the environment (or
 * {@code -Dgenbench.required=true}) it fails instead, because CI installs everything ({@code .ci/run}) and a skip
 * there would hide a broken set-up. Tests that need none of these never call it and always run.
 */
public final class Required {
    /** Where Debian's dataset-fashion-mnist puts the IDX files ({@code -Dfashion.mnist.dir} overrides). */
    public static final Path FASHION_MNIST = Path.of(System.getProperty("fashion.mnist.dir",
            "/usr/share/datasets/fashion-mnist"));
    public static final String PYTHON = System.getProperty("genbench.python", "/usr/bin/python3");

    private Required() {
    }

    /** True under CI ({@code CI=true}) or {@code -Dgenbench.required=true}: a missing requirement fails the test. */
    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("genbench.required");
    }

    /**
     * Nothing when {@code missing} is null; otherwise skips the calling test (or class, from a {@code @BeforeAll}),
     * or fails it under {@link #strict()}, saying what is missing and how to install it.
     */
    public static void check(String missing, String install) {
        if (missing == null) {
            return;
        }
        String message = missing + " (" + install + ")";
        if (strict()) {
            Assertions.fail("CI=true, so nothing is skipped, but " + message);
        }
        Assumptions.abort("skipped: " + message);
    }

    /** Debian's dataset-fashion-mnist: the four IDX files. */
    public static void fashionMnist() {
        check(missingFashionMnist(), "apt-get install dataset-fashion-mnist");
    }

    /** Null when the four Fashion-MNIST IDX files are present, else which are missing. */
    public static String missingFashionMnist() {
        List<String> absent = new ArrayList<>();
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            if (!Files.isRegularFile(FASHION_MNIST.resolve(f))) {
                absent.add(f);
            }
        }
        return absent.isEmpty() ? null : "Fashion-MNIST is not installed: " + String.join(", ", absent) + " missing in "
                + FASHION_MNIST;
    }

    /** Python modules importable by {@link #PYTHON}, e.g. {@code python("numpy", "scipy")}. */
    public static void python(String install, String... modules) {
        check(missingPython(modules), install);
    }

    /** Null when {@link #PYTHON} imports every module, else why not. */
    public static String missingPython(String... modules) {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return PYTHON + " is missing";
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + String.join(", ", modules))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return PYTHON + " did not answer within 120 s";
            }
            return p.exitValue() == 0 ? null : PYTHON + " cannot import " + String.join(", ", modules) + ": "
                    + out.substring(out.lastIndexOf('\n') + 1);
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking " + PYTHON;
        }
    }
}
