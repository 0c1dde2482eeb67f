package org.genbench.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSpecTest {
    @TempDir
    Path tmp;

    @Test
    void theSpecStartsKernelMainOnTheBuiltClassPathWithNioOpened() throws Exception {
        Path home = tmp.resolve("home");
        Path target = Files.createDirectories(home.resolve("bundles/kernel/target"));
        Files.writeString(target.resolve("kernel.jar"), "");
        Path lib = Files.writeString(tmp.resolve("lib.jar"), "");
        Files.writeString(target.resolve("classpath.txt"), lib.toString());

        Path spec = KernelSpec.install(tmp.resolve("kernels"), home);
        assertEquals(tmp.resolve("kernels/genbench/kernel.json"), spec);
        JsonObject json = JsonParser.parseString(Files.readString(spec)).getAsJsonObject();
        JsonArray argv = json.getAsJsonArray("argv");
        assertTrue(argv.get(0).getAsString().endsWith("/bin/java"));
        assertTrue(argv.toString().contains("--add-opens=java.base/java.nio=ALL-UNNAMED"));
        int cp = 0;
        while (!argv.get(cp).getAsString().equals("-cp")) {
            cp++;
        }
        assertEquals(target.resolve("kernel.jar") + ":" + lib, argv.get(cp + 1).getAsString());
        assertEquals("org.genbench.kernel.KernelMain", argv.get(argv.size() - 2).getAsString());
        assertEquals("{connection_file}", argv.get(argv.size() - 1).getAsString());
        assertEquals("java", json.get("language").getAsString());
    }

    @Test
    void anUnbuiltCheckoutIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSpec.install(tmp, tmp.resolve("none")));
        assertTrue(e.getMessage().contains("kernel.jar is missing: build first"), e.getMessage());
    }
}
