package org.genbench.trainer.gradient.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Autoencoding;
import org.genbench.api.DataInfo;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/**
 * What only an autoencoder can show: {@code reconstructions.png} (rows of test images, each followed by its
 * reconstruction E[x | z = E[z | x]]) and {@code latent.png} (posterior means of test images, coloured by label;
 * the first two principal components when the code has more than two dimensions). Java2D, so a headless workbench
 * needs nothing more; the workbench's own plots are internal to it.
 */
final class Pictures {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int COLUMNS = 10;
    static final int PAIRS = 4;
    static final int SCALE = 3;
    private static final int HEADER = 34;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    /** Matplotlib's tab10. */
    static final Color[] TAB10 = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF),
    };

    private Pictures() {
    }

    /** Writes both pictures for single-channel images; other shapes are left alone. */
    static void write(Autoencoding ae, Batch test, DataInfo info, int maxPoints, Path dir, BufferAllocator allocator)
            throws IOException {
        long[] shape = info.sampleShape();
        int height = (int) shape[shape.length - 2];
        int width = (int) shape[shape.length - 1];
        if (height * (long) width != info.dimension()) {
            return; // several channels: not drawn here
        }
        int n = (int) Math.min(test.size(), (long) COLUMNS * PAIRS);
        try (Tensor x = test.x().slice(0, n);
             Tensor labels = test.label().map(l -> l.slice(0, n)).orElse(null);
             Tensor z = ae.encode(x, labels);
             Tensor back = ae.decode(z, labels)) {
            writePng(reconstructionGrid(x.toDoubleArray(), back.toDoubleArray(), n, height, width,
                    info.name() + ": test images and their reconstructions"), dir.resolve("reconstructions.png"));
        }
        int m = (int) Math.min(test.size(), maxPoints);
        try (Tensor x = test.x().slice(0, m);
             Tensor labels = test.label().map(l -> l.slice(0, m)).orElse(null);
             Tensor z = ae.encode(x, labels)) {
            int[] label = new int[m];
            if (labels != null) {
                for (int i = 0; i < m; i++) {
                    label[i] = (int) labels.getDouble(i);
                }
            }
            writePng(latentScatter(z.toDoubleArray(), ae.latentDimension(), labels == null ? null : label,
                    info.name() + ": posterior means of " + m + " test images"), dir.resolve("latent.png"));
        }
    }

    /**
     * Odd rows: originals; even rows: their reconstructions. Values are clipped to [0, 1], 0 drawn black and 1 white
     * as in the workbench's sample grids.
     */
    static BufferedImage reconstructionGrid(double[] originals, double[] reconstructions, int n, int height, int width,
                                            String title) {
        int cell = Math.max(width, height) * SCALE;
        int gap = 4;
        int rows = (n + COLUMNS - 1) / COLUMNS;
        int w = COLUMNS * (cell + gap) + gap + 80;
        int h = HEADER + rows * (2 * cell + 3 * gap) + gap;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image, title);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int r = 0; r < rows; r++) {
            int y0 = HEADER + r * (2 * cell + 3 * gap);
            g.setColor(MUTED);
            g.drawString("data", 8, y0 + cell / 2 + 4);
            g.drawString("recon.", 8, y0 + cell + gap + cell / 2 + 4);
            for (int c = 0; c < COLUMNS && r * COLUMNS + c < n; c++) {
                int i = r * COLUMNS + c;
                int x0 = 80 + c * (cell + gap);
                paint(image, originals, i, height, width, x0, y0);
                paint(image, reconstructions, i, height, width, x0, y0 + cell + gap);
            }
        }
        g.dispose();
        return image;
    }

    private static void paint(BufferedImage image, double[] values, int index, int height, int width, int x0, int y0) {
        int offset = index * height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = Math.max(0, Math.min(1, values[offset + y * width + x]));
                int grey = (int) Math.round(255 * v);
                int rgb = (grey << 16) | (grey << 8) | grey;
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        image.setRGB(x0 + x * SCALE + dx, y0 + y * SCALE + dy, rgb);
                    }
                }
            }
        }
    }

    /** Codes {@code [n, dims]} row-major, projected to two dimensions; dots coloured by label (null: one colour). */
    static BufferedImage latentScatter(double[] codes, int dims, int[] labels, String title) {
        int n = codes.length / dims;
        double[][] xy = project(codes, n, dims);
        int size = 560;
        int pad = 50;
        BufferedImage image = new BufferedImage(size + 110, size + HEADER, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image, title);
        double[] xs = xy[0].clone();
        double[] ys = xy[1].clone();
        Arrays.sort(xs);
        Arrays.sort(ys);
        // The 0.5%..99.5% range, so that a few far codes do not squeeze the rest into a corner.
        double x0 = xs[(int) (0.005 * (n - 1))];
        double x1 = xs[(int) Math.ceil(0.995 * (n - 1))];
        double y0 = ys[(int) (0.005 * (n - 1))];
        double y1 = ys[(int) Math.ceil(0.995 * (n - 1))];
        double span = Math.max(1e-9, Math.max(x1 - x0, y1 - y0)) * 1.1;
        double cx = (x0 + x1) / 2;
        double cy = (y0 + y1) / 2;
        int plot = size - 2 * pad;
        g.setColor(new Color(0x99, 0x99, 0x99));
        g.drawRect(pad, HEADER + pad / 2, plot, plot);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(MUTED);
        String axis = dims == 2 ? "z" : dims == 1 ? "z" : "PC";
        g.drawString(dims == 1 ? "z1 (jittered by label)" : axis + "1", pad + plot / 2 - 10, HEADER + pad / 2 + plot + 20);
        g.drawString(dims == 1 ? "" : axis + "2", pad - 30, HEADER + pad / 2 + plot / 2);
        java.awt.Shape clip = g.getClip();
        g.clipRect(pad, HEADER + pad / 2, plot, plot);
        float alpha = (float) Math.max(0.25, Math.min(0.9, 30 / Math.sqrt(n)));
        Ellipse2D.Double dot = new Ellipse2D.Double();
        for (int i = 0; i < n; i++) {
            Color c = labels == null ? TAB10[0] : TAB10[Math.floorMod(labels[i], TAB10.length)];
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.round(alpha * 255)));
            double px = pad + ((xy[0][i] - cx) / span + 0.5) * plot;
            double py = HEADER + pad / 2.0 + (0.5 - (xy[1][i] - cy) / span) * plot;
            dot.setFrame(px - 2, py - 2, 4, 4);
            g.fill(dot);
        }
        g.setClip(clip);
        if (labels != null) {
            int max = Arrays.stream(labels).max().orElse(0);
            for (int c = 0; c <= Math.min(max, TAB10.length - 1); c++) {
                int ly = HEADER + pad / 2 + 10 + c * 18;
                g.setColor(TAB10[c]);
                g.fillOval(size + 4, ly - 8, 9, 9);
                g.setColor(INK);
                g.drawString("label " + c, size + 18, ly);
            }
        }
        g.setColor(MUTED);
        g.drawString(dims <= 2 ? dims + "-D code" : "first 2 principal components of the " + dims + "-D code",
                pad, size + HEADER - 6);
        g.dispose();
        return image;
    }

    /** Two coordinates per row: the code itself for 2 dimensions, its top two principal components for more. */
    static double[][] project(double[] codes, int n, int dims) {
        double[][] out = new double[2][n];
        if (dims == 1) {
            for (int i = 0; i < n; i++) {
                out[0][i] = codes[i];
                out[1][i] = (i % 7) / 7.0; // spread only for visibility
            }
            return out;
        }
        if (dims == 2) {
            for (int i = 0; i < n; i++) {
                out[0][i] = codes[2 * i];
                out[1][i] = codes[2 * i + 1];
            }
            return out;
        }
        double[] mean = new double[dims];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dims; j++) {
                mean[j] += codes[i * dims + j] / n;
            }
        }
        double[][] cov = new double[dims][dims];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < dims; a++) {
                double da = codes[i * dims + a] - mean[a];
                for (int b = 0; b < dims; b++) {
                    cov[a][b] += da * (codes[i * dims + b] - mean[b]) / n;
                }
            }
        }
        double[] first = powerIteration(cov, null);
        double[] second = powerIteration(cov, first);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dims; j++) {
                double v = codes[i * dims + j] - mean[j];
                out[0][i] += v * first[j];
                out[1][i] += v * second[j];
            }
        }
        return out;
    }

    /** The leading eigenvector of a symmetric matrix, orthogonal to {@code against} when given; deterministic start. */
    private static double[] powerIteration(double[][] m, double[] against) {
        int d = m.length;
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = 1.0 + 0.1 * j;
        }
        for (int it = 0; it < 500; it++) {
            if (against != null) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += v[j] * against[j];
                }
                for (int j = 0; j < d; j++) {
                    v[j] -= dot * against[j];
                }
            }
            double[] w = new double[d];
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    w[a] += m[a][b] * v[b];
                }
            }
            double norm = Math.sqrt(Arrays.stream(w).map(x -> x * x).sum());
            if (norm == 0) {
                break;
            }
            for (int j = 0; j < d; j++) {
                v[j] = w[j] / norm;
            }
        }
        return v;
    }

    private static Graphics2D begin(BufferedImage image, String title) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(INK);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 22);
        return g;
    }

    /** To a temporary name, then renamed: readers never see half a picture. */
    static void writePng(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", tmp.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
