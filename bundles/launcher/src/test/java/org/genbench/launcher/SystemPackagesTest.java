package org.genbench.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemPackagesTest {
    @Test
    void aPackageExportedAtTwoVersionsIsExportedAtTheNewest() {
        // slf4j-api 2.0.16's own header: org.slf4j at 2.0.16 and again at 1.7.36 for old importers
        Map<String, String> p = SystemPackages.parseExports("org.slf4j;uses:=\"org.slf4j.event,org.slf4j.spi\";"
                + "version=\"2.0.16\",org.slf4j.spi;version=\"2.0.16\",org.slf4j;version=\"1.7.36\"");
        assertEquals("2.0.16", p.get("org.slf4j"));
        assertEquals("2.0.16", p.get("org.slf4j.spi"));
        assertEquals("1.10.0", SystemPackages.newer("1.9.9", "1.10.0"));
    }
}
