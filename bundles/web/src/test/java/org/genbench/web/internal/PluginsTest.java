package org.genbench.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsTest {
    @TempDir
    Path workspace;

    static byte[] jar(String bsn, String version) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, m)) {
            out.flush();
        }
        return bytes.toByteArray();
    }

    @Test
    void aBundleIsIdentifiedByItsManifest() throws Exception {
        assertEquals(new Plugins.Identity("org.example.m", "1.2.3"), Plugins.identify(jar("org.example.m;singleton:=true", "1.2.3")));
        assertEquals("0.0.0", Plugins.identify(jar("org.example.m", null)).version());
        String noBsn = assertThrows(IllegalArgumentException.class, () -> Plugins.identify(jar(null, "1"))).getMessage();
        assertTrue(noBsn.contains("not an OSGi bundle"), noBsn);
        String notJar = assertThrows(IllegalArgumentException.class, () -> Plugins.identify("hello".getBytes())).getMessage();
        assertTrue(notJar.startsWith("not a jar"), notJar);
        String badName = assertThrows(IllegalArgumentException.class, () -> Plugins.identify(jar("../evil", "1"))).getMessage();
        assertTrue(badName.contains("not a plain name"), badName);
    }

    @Test
    void anUploadReplacesOtherJarsOfTheSameBundleAndLeavesNoTemporary() throws Exception {
        Path plugins = Files.createDirectories(workspace.resolve("plugins"));
        Files.write(plugins.resolve("old-name.jar"), jar("org.example.m", "1.0.0"));
        Files.write(plugins.resolve("other.jar"), jar("org.example.other", "1.0.0"));
        byte[] v2 = jar("org.example.m", "2.0.0");
        Path written = Plugins.deploy(plugins, v2, Plugins.identify(v2));
        assertEquals(plugins.resolve("org.example.m.jar"), written);
        assertFalse(Files.exists(plugins.resolve("old-name.jar")));
        assertTrue(Files.exists(plugins.resolve("other.jar")));
        try (var staged = Files.list(workspace.resolve(".uploads"))) {
            assertEquals(0, staged.count());
        }
    }
}
