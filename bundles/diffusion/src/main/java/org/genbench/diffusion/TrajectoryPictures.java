package org.genbench.diffusion;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * {@code trajectory.png}: the denoising trajectory a sampler kept ({@link Sampling.Trace}). Images: one pair of rows per
 * traced sample, its state x_t above and its prediction of the clean image below, one column per snapshot from noise
 * (left) to sample (right). 2-D data: one panel per snapshot with every traced point, all panels on one scale.
 */
public final class TrajectoryPictures {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int SCALE = 3;
    private static final int HEADER = 30;
    private static final int LABEL = 70;
    private static final int PANEL = 220;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    private static final Color DOT = new Color(0xD6, 0x27, 0x28, 120);

    private TrajectoryPictures() {
    }

    /** Writes {@code trajectory.png} into {@code dir} for image data ([H, W] or [1, H, W]) or 2-D points; else nothing. */
    public static void write(Sampling.Trace trace, long[] sampleShape, String title, Path dir) throws IOException {
        if (trace.states().isEmpty()) {
            return;
        }
        BufferedImage image;
        boolean grey = (sampleShape.length == 2) || (sampleShape.length == 3 && sampleShape[0] == 1);
        if (grey) {
            image = images(trace, (int) sampleShape[sampleShape.length - 2], (int) sampleShape[sampleShape.length - 1], title);
        } else if (sampleShape.length == 1 && sampleShape[0] == 2) {
            image = points(trace, title);
        } else {
            return;
        }
        Path file = dir.resolve("trajectory.png");
        Path tmp = dir.resolve(".trajectory.png.tmp");
        if (!ImageIO.write(image, "png", tmp.toFile())) {
            throw new IOException("no PNG writer");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static BufferedImage images(Sampling.Trace trace, int h, int w, String title) {
        List<float[]> states = trace.states();
        List<float[]> preds = trace.predictions();
        int frames = states.size();
        int traced = trace.traced();
        int cell = Math.max(h, w) * SCALE;
        int gap = 3;
        int width = LABEL + frames * (cell + gap) + gap;
        int height = HEADER + 16 + traced * (2 * cell + 3 * gap) + 2 * gap;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image, title + ": x_t (upper) and the predicted x_0 (lower) of " + traced + " samples");
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.setColor(MUTED);
        for (int f = 0; f < frames; f++) {
            g.drawString("step " + trace.steps().get(f), LABEL + f * (cell + gap), HEADER + 10);
        }
        for (int i = 0; i < traced; i++) {
            int y0 = HEADER + 16 + i * (2 * cell + 3 * gap);
            g.setColor(MUTED);
            g.drawString("#" + i + " x_t", 6, y0 + cell / 2);
            g.drawString("#" + i + " x_0", 6, y0 + cell + gap + cell / 2);
            for (int f = 0; f < frames; f++) {
                int x0 = LABEL + f * (cell + gap);
                paint(image, states.get(f), i, h, w, x0, y0);
                paint(image, preds.get(f), i, h, w, x0, y0 + cell + gap);
            }
        }
        g.dispose();
        return image;
    }

    private static void paint(BufferedImage image, float[] values, int index, int h, int w, int x0, int y0) {
        int offset = index * h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v = Math.max(0, Math.min(1, values[offset + y * w + x]));
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

    static BufferedImage points(Sampling.Trace trace, String title) {
        List<float[]> states = trace.states();
        int frames = states.size();
        // one square range for all panels: the final points' 1%..99% extent, padded by half its size
        float[] last = states.get(frames - 1);
        double[] xs = new double[last.length / 2];
        double[] ys = new double[last.length / 2];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = last[2 * i];
            ys[i] = last[2 * i + 1];
        }
        java.util.Arrays.sort(xs);
        java.util.Arrays.sort(ys);
        int lo = (int) (0.01 * (xs.length - 1));
        int hi = (int) Math.ceil(0.99 * (xs.length - 1));
        double span = Math.max(1e-6, Math.max(xs[hi] - xs[lo], ys[hi] - ys[lo])) * 1.5;
        double cx = (xs[hi] + xs[lo]) / 2;
        double cy = (ys[hi] + ys[lo]) / 2;
        int gap = 8;
        BufferedImage image = new BufferedImage(frames * (PANEL + gap) + gap, HEADER + 20 + PANEL + gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image, title + ": " + trace.traced() + " samples from noise (left) to the end (right)");
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int f = 0; f < frames; f++) {
            int px = gap + f * (PANEL + gap);
            int py = HEADER + 20;
            g.setColor(new Color(0x99, 0x99, 0x99));
            g.drawRect(px, py, PANEL, PANEL);
            g.setColor(MUTED);
            float[] v = states.get(f);
            int outside = 0;
            g.setColor(DOT);
            for (int i = 0; i < v.length / 2; i++) {
                double u = (v[2 * i] - cx) / span + 0.5;
                double w = 0.5 - (v[2 * i + 1] - cy) / span;
                if (u < 0 || u > 1 || w < 0 || w > 1) {
                    outside++;
                    continue;
                }
                g.fillOval(px + (int) (u * PANEL) - 2, py + (int) (w * PANEL) - 2, 4, 4);
            }
            g.setColor(INK);
            g.drawString("step " + trace.steps().get(f) + (outside > 0 ? " (" + outside + " outside)" : ""), px, py - 5);
        }
        g.dispose();
        return image;
    }

    private static Graphics2D begin(BufferedImage image, String title) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, 8, 20);
        return g;
    }
}
