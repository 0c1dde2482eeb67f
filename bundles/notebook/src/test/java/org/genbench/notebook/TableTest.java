package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    final Table runs = Table.builder("model", "seed", "loglik")
            .row("gmm", 1, -2.0).row("gmm", 2, -3.0).row("gaussian", 1, -4.5).row("gmm", 3, -4.0).build();

    @Test
    void summarizeGivesMeanSampleStdAndCountPerGroupInOrderOfAppearance() {
        Table s = runs.summarize("model", "loglik");
        assertEquals(List.of("model", "loglik mean", "loglik std", "n"), s.columns());
        assertEquals(List.of("gmm", "gaussian"), s.column("model"));
        assertArrayEquals(new double[] {-3.0, -4.5}, s.doubles("loglik mean"), 1e-12);
        assertArrayEquals(new double[] {1.0, 0.0}, s.doubles("loglik std"), 1e-12); // sd of -2, -3, -4 is 1
        assertEquals(List.of(3, 1), s.column("n"));
    }

    @Test
    void whereSelectAndSortKeepRowsWhole() {
        Table gmm = runs.where("model", "gmm").select("seed", "loglik").sortBy("loglik");
        assertEquals(List.of(3, 2, 1), gmm.column("seed"));
        assertEquals(3, gmm.size());
    }

    @Test
    void htmlEscapesCellsAndRightAlignsNumbers() {
        String html = Table.builder("name", "value").row("<b>&", 0.123456).build().html();
        assertTrue(html.contains("<td>&lt;b&gt;&amp;</td>"), html);
        assertTrue(html.contains("<td style=\"text-align:right\">0.1235</td>"), html);
        assertTrue(html.contains("<th>name</th><th>value</th>"), html);
    }

    @Test
    void textIsAlignedWithARuleUnderTheHeader() {
        String[] lines = runs.text().split("\n");
        assertEquals("model     seed  loglik", lines[0]);
        assertEquals("--------  ----  -------", lines[1]);
        assertEquals("gaussian  1     -4.5000", lines[4]);
    }

    @Test
    void mimeBundleOffersTextAndHtml() {
        assertEquals(List.of("text/plain", "text/html"), List.copyOf(runs.mimeBundle().keySet()));
    }

    @Test
    void badShapesAndNamesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runs.column("nope"));
        assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Table.builder("a", "b").row(1).build());
        assertThrows(IllegalArgumentException.class, () -> runs.doubles("model"));
    }
}
