package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlotTest {
    @Test
    void aLinePlotIsAPngWithTheLineDrawnInTheSeriesColour() {
        Image img = Plot.lines("t", "x", "y", Map.of("s", new double[][] {{0, 1, 2}, {0, 1, 2}}));
        BufferedImage b = img.toBufferedImage();
        assertEquals(640, b.getWidth());
        assertEquals(400, b.getHeight());
        // the diagonal passes through the middle of the plotting area
        int cx = (70 + 620) / 2;
        int cy = (40 + 350) / 2;
        boolean coloured = false;
        for (int dx = -3; dx <= 3 && !coloured; dx++) {
            for (int dy = -3; dy <= 3 && !coloured; dy++) {
                int rgb = b.getRGB(cx + dx, cy + dy) & 0xffffff;
                coloured = rgb != 0xffffff && (rgb & 0xff) > (rgb >> 16 & 0xff);
            }
        }
        assertEquals(true, coloured, "a blue line through the centre");
        assertEquals("image/png", List.copyOf(img.mimeBundle().keySet()).get(1));
    }

    @Test
    void barsDrawOneBarPerRow() {
        Table t = Table.builder("model", "v", "sd").row("a", -1.0, 0.1).row("b", -3.0, 0.2).build();
        BufferedImage b = Plot.bars("t", t, "model", "v", "sd").toBufferedImage();
        // bars hang down from zero at the top; the first bar's middle is coloured, the gap between bars is not
        int y = 120;
        int firstBar = (int) (70 + 0.5 * (550 / 2.0));
        assertNotEquals(0xffffff, b.getRGB(firstBar, y) & 0xffffff);
        assertEquals(0xffffff, b.getRGB((int) (70 + 1.0 * (550 / 2.0)), y) & 0xffffff);
    }

    @Test
    void aScatterNeedsTwoDimensions() {
        Samples oneD = new Samples("s", new long[] {3}, new double[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> Plot.scatter("t", Map.of("s", oneD)));
    }

    @Test
    void gridLaysPicturesOutInRows() {
        Image a = Plot.lines("a", "x", "y", Map.of("s", new double[][] {{0, 1}, {0, 1}}));
        Image g = Image.grid(List.of(a, a, a), 2);
        assertEquals(1280, g.width());
        assertEquals(800, g.height());
    }
}
