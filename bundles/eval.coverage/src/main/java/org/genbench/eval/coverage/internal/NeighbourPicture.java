package org.genbench.eval.coverage.internal;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Rows of grayscale images, each a generated sample (left, framed) followed by its nearest training images, with a
 * caption per row: the memorisation check a reader does by eye.
 */
final class NeighbourPicture {
    private static final int SCALE = 2;
    private static final int GAP = 4;
    private static final int LABEL = 190;
    private static final int TITLE = 28;

    /** One row: the sample's pixels, its neighbours' pixels, and the caption. */
    record Row(float[] sample, List<float[]> neighbours, String caption) {
    }

    private NeighbourPicture() {
    }

    /** Pixels are scaled by the largest value over all images when it is above 1 (8-bit data), else used as they are. */
    static void write(List<Row> rows, int height, int width, String title, Path file) throws IOException {
        int columns = 1 + rows.stream().mapToInt(r -> r.neighbours().size()).max().orElse(0);
        float max = 1;
        for (Row r : rows) {
            max = Math.max(max, maxOf(r.sample()));
            for (float[] n : r.neighbours()) {
                max = Math.max(max, maxOf(n));
            }
        }
        int cell = width * SCALE + GAP;
        int rowHeight = height * SCALE + GAP;
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 13);
        int titleWidth;
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            titleWidth = probe.getFontMetrics(titleFont).stringWidth(title) + 2 * GAP;
        } finally {
            probe.dispose();
        }
        BufferedImage image = new BufferedImage(Math.max(titleWidth, LABEL + columns * cell + 3 * GAP),
                TITLE + rows.size() * rowHeight + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(title, GAP, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = TITLE + r * rowHeight;
            g.setColor(Color.BLACK);
            String[] lines = row.caption().split("\n");
            for (int l = 0; l < lines.length; l++) {
                g.drawString(lines[l], GAP, y + 14 + 13 * l);
            }
            int x = LABEL;
            g.setColor(new Color(200, 30, 30));
            g.fillRect(x - 2, y - 2, width * SCALE + 4, height * SCALE + 4);
            draw(image, row.sample(), height, width, x, y, max);
            x += cell + 2 * GAP;
            for (float[] n : row.neighbours()) {
                draw(image, n, height, width, x, y, max);
                x += cell;
            }
        }
        g.dispose();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(image, "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void draw(BufferedImage image, float[] pixels, int height, int width, int x0, int y0, float max) {
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                float v = pixels[i * width + j] / max;
                int grey = Math.round(255 * Math.min(1, Math.max(0, v)));
                int rgb = (grey << 16) | (grey << 8) | grey;
                for (int a = 0; a < SCALE; a++) {
                    for (int b = 0; b < SCALE; b++) {
                        image.setRGB(x0 + j * SCALE + b, y0 + i * SCALE + a, rgb);
                    }
                }
            }
        }
    }

    private static float maxOf(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
