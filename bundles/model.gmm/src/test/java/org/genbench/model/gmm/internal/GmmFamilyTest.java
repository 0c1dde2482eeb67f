package org.genbench.model.gmm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GmmFamilyTest {
    private final GmmFamily family = new GmmFamily();

    @Test
    void absentFieldsTakeTheDefaults() {
        GmmFamily.Config c = GmmFamily.Config.defaults();
        assertEquals(8, c.components());
        assertEquals("full", c.covariance());
        assertEquals(1e-6, c.regCovar());
        assertEquals("kmeans++", c.init());
        assertEquals(20, c.kmeansIterations());
        assertEquals(c, new GmmFamily.Config(null, null, null, null, null));
    }

    @Test
    void badSettingsNameTheFieldAndTheAllowedValues() {
        assertRejected(() -> new GmmFamily.Config(0, null, null, null, null), "components must be >= 1, was 0");
        assertRejected(() -> new GmmFamily.Config(null, "diagonal", null, null, null),
                "covariance must be one of [full, tied, diag, spherical], was 'diagonal'");
        assertRejected(() -> new GmmFamily.Config(null, null, -1e-3, null, null), "regCovar must be in 0..1e6");
        assertRejected(() -> new GmmFamily.Config(null, null, 1e7, null, null), "regCovar must be in 0..1e6");
        assertRejected(() -> new GmmFamily.Config(null, null, Double.NaN, null, null), "regCovar");
        assertRejected(() -> new GmmFamily.Config(null, null, null, "kmeans", null),
                "init must be one of 'kmeans++', 'random', was 'kmeans'");
        assertRejected(() -> new GmmFamily.Config(null, null, null, null, -1), "kmeansIterations must be in 0..10000, was -1");
    }

    @Test
    void refusesDataThatIsNotContinuous() {
        DataInfo binary = new DataInfo("mnist-binary", new long[] {784}, DataInfo.BINARY, 10, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> family.create(GmmFamily.Config.defaults(), binary, new Rng(1)));
        assertTrue(e.getMessage().contains("continuous") && e.getMessage().contains("mnist-binary"), e.getMessage());
    }

    @Test
    void refusesDataThatIsNotAVector() {
        DataInfo images = new DataInfo("cifar", new long[] {3, 32, 32}, DataInfo.CONTINUOUS, 10, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> family.create(GmmFamily.Config.defaults(), images, new Rng(1)));
        assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("[3, 32, 32]"), e.getMessage());
    }

    @Test
    void modelsHaveEveryCapabilityTheFamilyDeclares() {
        Model m = family.create(new GmmFamily.Config(3, null, null, null, null), Fixtures.vectors(2), new Rng(1));
        assertEquals(7, family.capabilities().size());
        for (Class<? extends Capability> c : family.capabilities()) {
            assertTrue(m.as(c).isPresent(), "model lacks " + c.getSimpleName());
        }
        // sklearn's _n_parameters for k=3, d=2, full: 2 weights + 6 mean entries + 9 covariance entries.
        assertEquals(17, m.parameterCount());
        assertEquals(Fixtures.vectors(2), m.data());
    }

    @Test
    void isADeclarativeServicesModelFamilyNamedGmm() throws IOException {
        assertEquals("gmm", family.name());
        assertEquals(GmmFamily.Config.class, family.configType());
        try (InputStream in = getClass().getResourceAsStream("/OSGI-INF/" + GmmFamily.class.getName() + ".xml")) {
            assertNotNull(in, "bnd wrote no component description");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("org.genbench.api.ModelFamily"), xml);
        }
    }

    private static void assertRejected(Executable build, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
