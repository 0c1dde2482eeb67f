package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class GenbenchTest {
    /** The shape the shell's list verb prints: padded columns, a rule of dashes, the last column unpadded. */
    static final String LIST = """
            role     name  provides / needs                                                   bundle                           description
            -------  ----  -----------------------------------------------------------------  -------------------------------  ----------------------------------------------
            dataset  toy                                                                      org.genbench.data.toy 0.1.0      2-D toy densities (two moons, eight Gaussians)
            model    gmm   DirectSampling, EmFittable, Energy, LogDensity, Persistent, Score  org.genbench.model.gmm 0.1.0     Gaussian mixture
            sampler  mala  Energy, or LogDensity and Score                                    org.genbench.sampler.mcmc 0.1.0  MALA
            """;

    @Test
    void theListVerbsTableIsReadColumnByColumn() {
        Table t = Genbench.parseComponents(LIST);
        assertEquals(List.of("role", "name", "capabilities", "bundle", "version", "description"), t.columns());
        assertEquals(3, t.size());
        assertEquals(List.of("dataset", "toy", "", "org.genbench.data.toy", "0.1.0", "2-D toy densities (two moons, eight Gaussians)"), t.row(0));
        assertEquals("DirectSampling, EmFittable, Energy, LogDensity, Persistent, Score", t.get(1, "capabilities"));
        assertEquals("Energy, or LogDensity and Score", t.get(2, "capabilities"));
        assertEquals("org.genbench.sampler.mcmc", t.get(2, "bundle"));
    }

    @Test
    void aChangedListFormatFailsLoudly() {
        assertThrows(IllegalStateException.class, () -> Genbench.parseComponents("a  b\n-  -\n1  2\n"));
    }
}
