package org.genbench.trainer.gradient.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PicturesTest {
    @Test
    void projectionFindsTheTwoDirectionsOfLargestSpread() {
        // 3-D codes: large spread along (1, 1, 0)/sqrt 2, medium along z, tiny along (1, -1, 0)/sqrt 2.
        SplittableRandom r = new SplittableRandom(1);
        int n = 4000;
        double[] codes = new double[3 * n];
        for (int i = 0; i < n; i++) {
            double a = 5 * r.nextGaussian();
            double b = 2 * r.nextGaussian();
            double c = 0.1 * r.nextGaussian();
            codes[3 * i] = (a + c) / Math.sqrt(2);
            codes[3 * i + 1] = (a - c) / Math.sqrt(2);
            codes[3 * i + 2] = b;
        }
        double[][] xy = Pictures.project(codes, n, 3);
        assertEquals(25, variance(xy[0]), 1.5, "first component carries the variance 25");
        assertEquals(4, variance(xy[1]), 0.3, "second component carries the variance 4");
    }

    @Test
    void reconstructionGridShowsEachPairWithOneWhite() {
        double[] ones = new double[4 * 4 * 10];
        java.util.Arrays.fill(ones, 1);
        double[] zeros = new double[4 * 4 * 10];
        BufferedImage image = Pictures.reconstructionGrid(ones, zeros, 10, 4, 4, "t");
        int cell = 4 * Pictures.SCALE;
        int top = 34;
        assertEquals(0xffffff, image.getRGB(80 + 1, top + 1) & 0xffffff, "an original of ones is white");
        assertEquals(0x000000, image.getRGB(80 + 1, top + cell + 4 + 1) & 0xffffff, "its reconstruction of zeros is black");
        assertTrue(image.getWidth() > image.getHeight());
    }

    private static double variance(double[] v) {
        double m = java.util.Arrays.stream(v).average().orElseThrow();
        return java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length;
    }
}
