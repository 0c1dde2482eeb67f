package org.genbench.notebook;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A PNG picture; a cell whose value is one shows it inline. */
public final class Image implements Displayable {
    private final byte[] png;
    private final int width;
    private final int height;

    private Image(byte[] png, int width, int height) {
        this.png = png;
        this.width = width;
        this.height = height;
    }

    /** Reads a PNG file, e.g. a run's {@code samples.png}. */
    public static Image read(Path file) {
        try {
            return png(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Image png(byte[] bytes) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new IllegalArgumentException("not a PNG image (" + bytes.length + " bytes)");
            }
            return new Image(bytes.clone(), img.getWidth(), img.getHeight());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Image of(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Image(out.toByteArray(), img.getWidth(), img.getHeight());
    }

    /** Pictures side by side in rows of {@code columns}, each scaled to the height of the first: a sample grid. */
    public static Image grid(List<Image> images, int columns) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to lay out");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be >= 1, was " + columns);
        }
        int cellH = images.get(0).height;
        int cellW = 0;
        for (Image i : images) {
            cellW = Math.max(cellW, (int) Math.round(i.width * (double) cellH / i.height));
        }
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int k = 0; k < images.size(); k++) {
            Image i = images.get(k);
            int w = (int) Math.round(i.width * (double) cellH / i.height);
            g.drawImage(i.toBufferedImage(), (k % cols) * cellW, (k / cols) * cellH, w, cellH, null);
        }
        g.dispose();
        return of(out);
    }

    public BufferedImage toBufferedImage() {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] bytes() {
        return png.clone();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public Path save(Path file) {
        try {
            return Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public Map<String, String> mimeBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/plain", toString());
        m.put("image/png", Base64.getEncoder().encodeToString(png));
        return m;
    }

    @Override
    public String toString() {
        return "Image " + width + "x" + height + " (PNG, " + png.length + " bytes)";
    }
}
