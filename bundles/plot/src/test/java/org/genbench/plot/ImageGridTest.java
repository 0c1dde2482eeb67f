package org.genbench.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageGridTest {
    private static int grey(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xff;
    }

    @Test
    void eachValueBecomesAScaledGreySquareInItsCell() {
        // Two 2x3 images: the first a ramp 0 .. 1, the second out-of-range values that are clipped.
        double[] pixels = {0, 0.2, 0.4, 0.6, 0.8, 1, -1, 2, 0.5, 0.5, 0.5, Double.NaN};
        BufferedImage image = Plots.imageGrid(pixels, 2, 2, 3, 2, null, "grid");
        int scale = 56 / 3; // 18: whole-number scaling to about 56 pixels
        int left = 10;
        int top = Plots.HEADER;
        assertEquals(0, grey(image, left, top));
        assertEquals(Math.round(255 * 0.2f), grey(image, left + scale, top + scale - 1));
        assertEquals(255, grey(image, left + 2 * scale + scale / 2, top + scale + scale / 2));
        int second = left + 3 * scale + 2;
        assertEquals(0, grey(image, second, top), "-1 is clipped to 0");
        assertEquals(255, grey(image, second + scale, top), "2 is clipped to 1");
        assertEquals(0, grey(image, second + 2 * scale + 1, top + scale + 1), "NaN is drawn black");
    }

    @Test
    void rowLabelsMakeRoomAndMustCoverEveryRow() {
        double[] pixels = new double[4 * 4 * 4];
        BufferedImage labelled = Plots.imageGrid(pixels, 4, 4, 4, 2, List.of("class 0", "class 1"), "per class");
        BufferedImage plain = Plots.imageGrid(pixels, 4, 4, 4, 2, null, "plain");
        assertTrue(labelled.getWidth() >= plain.getWidth());
        assertEquals(plain.getHeight(), labelled.getHeight());
        assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid(pixels, 4, 4, 4, 2, List.of("one"), "x"));
        assertThrows(IllegalArgumentException.class, () -> Plots.imageGrid(pixels, 5, 4, 4, 2, null, "too many"));
    }
}
