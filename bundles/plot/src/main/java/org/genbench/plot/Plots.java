package org.genbench.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The run's pictures: 2-D density plots of samples over the data, and loss curves. Plain arrays in, images out,
 * drawn with Java2D so that a headless workbench (a server, a Spark task) needs no plotting library.
 */
public final class Plots {
    static {
        // A server JVM has no display; without this the first font lookup may try to reach one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Width and height of one density panel, in pixels. */
    static final int PANEL = 360;
    /** Height of the figure title band above the density panels. */
    static final int HEADER = 40;
    static final int LINE_WIDTH = 720;
    static final int LINE_HEIGHT = 420;

    /** Bins per axis of the data histogram; about 4 pixels each. */
    private static final int BINS = 76;
    /** Above this many samples a panel draws an evenly strided subset: the picture no longer changes. */
    private static final int MAX_DOTS = 50_000;

    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    private static final Color FRAME = new Color(0x99, 0x99, 0x99);
    /** Translucent, so grid lines stay visible across the heat map without cutting through it. */
    private static final Color GRID = new Color(0, 0, 0, 22);
    /** Matplotlib's tab10 minus its blue, which the heat map uses. */
    private static final Color[] DOTS = {
        new Color(0xD6, 0x27, 0x28), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B), new Color(0xE3, 0x77, 0xC2),
    };
    /** tab10 for lines. */
    private static final Color[] LINES = {
        new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xD6, 0x27, 0x28), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF),
    };
    /** White to a mid blue: the heat map stays light so that dots drawn over it remain legible. */
    private static final float[][] HEAT = {
        {1f, 1f, 1f}, {0.86f, 0.91f, 0.97f}, {0.70f, 0.81f, 0.92f}, {0.48f, 0.67f, 0.85f},
    };

    private Plots() {
    }

    /**
     * One panel per sampler, side by side: the samples as dots over a log-scaled histogram of the data. All panels
     * share one square range, the data's 0.5%-99.5% quantiles padded by 10% (the samples' when there is no data),
     * so a sampler that diverges shows up as dots leaving the frame, counted in its panel title.
     *
     * @param dataXY the reference points, interleaved x, y
     * @param samplesXY sampler name to its points, interleaved x, y, drawn left to right in the map's iteration
     *     order (pass a LinkedHashMap); empty draws the data alone
     */
    public static BufferedImage densityScatter(double[] dataXY, Map<String, double[]> samplesXY, String title) {
        checkInterleaved("dataXY", dataXY);
        samplesXY.forEach((name, xy) -> checkInterleaved("samples '" + name + "'", xy));
        Map<String, double[]> panels = samplesXY.isEmpty() ? Map.of("data", new double[0]) : samplesXY;
        double[] range = densityRange(dataXY, samplesXY);
        double[] heat = heatMap(dataXY, range);

        BufferedImage image = new BufferedImage(PANEL * panels.size(), HEADER + PANEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image);
        drawHeader(g, title, dataXY.length == 0 ? "" : "shading: data density, log scale (" + dataXY.length / 2
                + " points)", image.getWidth());
        int i = 0;
        for (Map.Entry<String, double[]> panel : panels.entrySet()) {
            Rectangle area = densityArea(i);
            Axes axes = new Axes(area, range[0], range[1], range[2], range[3]);
            paintHeat(image, area, heat);
            drawGrid(g, axes);
            int outside = drawDots(g, axes, panel.getValue(), DOTS[i % DOTS.length]);
            drawFrameAndTicks(g, axes);
            int n = panel.getValue().length / 2;
            String name = samplesXY.isEmpty() ? "data" : panel.getKey();
            String detail = samplesXY.isEmpty() ? dataXY.length / 2 + " points"
                    : n + " samples" + (outside > 0 ? ", " + outside + " outside" : "");
            drawCaption(g, name, detail, area.x, area.y - 9, area.width);
            i++;
        }
        g.dispose();
        return image;
    }

    /** Viridis at 9 stops: perceptually even, dark (low density) to yellow (high). */
    private static final float[][] VIRIDIS = {
        {0.267f, 0.005f, 0.329f}, {0.283f, 0.141f, 0.458f}, {0.254f, 0.265f, 0.530f}, {0.207f, 0.372f, 0.553f},
        {0.164f, 0.471f, 0.558f}, {0.128f, 0.567f, 0.551f}, {0.135f, 0.659f, 0.518f}, {0.478f, 0.821f, 0.318f},
        {0.993f, 0.906f, 0.144f},
    };

    /**
     * Log-densities on a grid as heat maps side by side with one shared colour scale (the largest value down to
     * {@code span} nats below it; lower values take the darkest colour), e.g. a model's learned density beside the
     * data's true one.
     *
     * @param panels name to log-densities on a {@code grid} x {@code grid} grid of cell centres over {@code range}
     *               ({xMin, xMax, yMin, yMax}), row-major with row 0 at yMin; drawn left to right in iteration order
     */
    public static BufferedImage logDensityMaps(Map<String, double[]> panels, int grid, double[] range, double span,
                                               String title) {
        if (grid < 2 || panels.isEmpty() || !(span > 0)) {
            throw new IllegalArgumentException("log-density maps need a grid of at least 2, a panel and span > 0");
        }
        double top = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : panels.entrySet()) {
            if (e.getValue().length != grid * grid) {
                throw new IllegalArgumentException("panel '" + e.getKey() + "' has " + e.getValue().length
                        + " values for a " + grid + " x " + grid + " grid");
            }
            for (double v : e.getValue()) {
                if (Double.isFinite(v)) {
                    top = Math.max(top, v);
                }
            }
        }
        double lo = top - span;
        BufferedImage image = new BufferedImage(PANEL * panels.size(), HEADER + PANEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image);
        drawHeader(g, title, String.format(Locale.ROOT, "log density, shared scale: %.2f (yellow) to %.2f nats", top, lo),
                image.getWidth());
        int i = 0;
        for (Map.Entry<String, double[]> panel : panels.entrySet()) {
            Rectangle area = densityArea(i);
            Axes axes = new Axes(area, range[0], range[1], range[2], range[3]);
            double[] v = panel.getValue();
            for (int py = 0; py < area.height; py++) {
                // grid row 0 is at the bottom (yMin), the picture's row 0 at the top
                double gy = Math.max(0, Math.min(grid - 1, (area.height - py - 0.5) / area.height * grid - 0.5));
                int r0 = Math.min(grid - 2, (int) gy);
                double fy = gy - r0;
                for (int px = 0; px < area.width; px++) {
                    double gx = Math.max(0, Math.min(grid - 1, (px + 0.5) / area.width * grid - 0.5));
                    int c0 = Math.min(grid - 2, (int) gx);
                    double fx = gx - c0;
                    double val = (1 - fy) * ((1 - fx) * clampTo(v[r0 * grid + c0], lo) + fx * clampTo(v[r0 * grid + c0 + 1], lo))
                            + fy * ((1 - fx) * clampTo(v[(r0 + 1) * grid + c0], lo) + fx * clampTo(v[(r0 + 1) * grid + c0 + 1], lo));
                    image.setRGB(area.x + px, area.y + py, viridis((val - lo) / span));
                }
            }
            drawFrameAndTicks(g, axes);
            drawCaption(g, panel.getKey(), grid + " x " + grid + " grid", area.x, area.y - 9, area.width);
            i++;
        }
        g.dispose();
        return image;
    }

    private static double clampTo(double v, double lo) {
        return Double.isNaN(v) || v < lo ? lo : v;
    }

    private static int viridis(double t) {
        double s = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
        int k = Math.min(VIRIDIS.length - 2, (int) s);
        double f = s - k;
        int rgb = 0;
        for (int ch = 0; ch < 3; ch++) {
            double v = VIRIDIS[k][ch] + f * (VIRIDIS[k + 1][ch] - VIRIDIS[k][ch]);
            rgb = (rgb << 8) | (int) Math.round(255 * v);
        }
        return rgb;
    }

    /**
     * Curves such as training loss against step.
     *
     * @param series curve name to {steps, values} of equal length; non-finite values break the curve
     */
    public static BufferedImage lineChart(Map<String, double[][]> series, String title, String xLabel) {
        series.forEach((name, sv) -> {
            if (sv.length != 2 || sv[0].length != sv[1].length) {
                throw new IllegalArgumentException("series '" + name + "' must be {steps, values} of equal length");
            }
        });
        BufferedImage image = new BufferedImage(LINE_WIDTH, LINE_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image);
        drawHeader(g, title, "", LINE_WIDTH);
        Axes axes = lineAxes(series);
        drawGrid(g, axes);

        int k = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            Color color = LINES[k++ % LINES.length];
            double[] steps = e.getValue()[0];
            double[] values = e.getValue()[1];
            g.setColor(color);
            g.setStroke(new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            int finite = 0;
            for (int j = 0; j < steps.length; j++) {
                if (!Double.isFinite(steps[j]) || !Double.isFinite(values[j])) {
                    pen = false;
                    continue;
                }
                finite++;
                double px = axes.px(steps[j]);
                double py = axes.py(values[j]);
                if (pen) {
                    path.lineTo(px, py);
                } else {
                    path.moveTo(px, py);
                    pen = true;
                }
            }
            Shape clip = g.getClip();
            g.clip(axes.area());
            g.draw(path);
            // Few points: mark them, or a one-point curve would be invisible.
            if (finite <= 40) {
                for (int j = 0; j < steps.length; j++) {
                    if (Double.isFinite(steps[j]) && Double.isFinite(values[j])) {
                        g.fill(new Ellipse2D.Double(axes.px(steps[j]) - 2.5, axes.py(values[j]) - 2.5, 5, 5));
                    }
                }
            }
            g.setClip(clip);
        }
        drawFrameAndTicks(g, axes);
        Rectangle area = axes.area();
        g.setFont(font(Font.PLAIN, 12));
        g.setColor(INK);
        if (xLabel != null && !xLabel.isEmpty()) {
            FontMetrics fm = g.getFontMetrics();
            g.drawString(xLabel, area.x + (area.width - fm.stringWidth(xLabel)) / 2, area.y + area.height + 38);
        }
        if (series.isEmpty()) {
            g.setColor(MUTED);
            g.drawString("no data", area.x + (area.width - g.getFontMetrics().stringWidth("no data")) / 2,
                    area.y + area.height / 2);
        } else {
            drawLegend(g, series, axes);
        }
        g.dispose();
        return image;
    }

    /**
     * Grayscale images side by side, {@code columns} to a row, each scaled up by a whole factor to about 56 pixels
     * (so 28 x 28 images show at 2x), 0 drawn black and 1 white; values outside [0, 1] are clipped.
     *
     * @param pixels    {@code n} images of {@code height * width} values each, row-major, one after the other
     * @param rowLabels a caption for each row, drawn at its left (e.g. the class it was drawn for); null for none
     */
    public static BufferedImage imageGrid(double[] pixels, int n, int height, int width, int columns,
                                          List<String> rowLabels, String title) {
        if (n < 0 || height < 1 || width < 1 || columns < 1 || (long) n * height * width > pixels.length) {
            throw new IllegalArgumentException(n + " images of " + height + "x" + width + " in " + columns
                    + " columns do not fit " + pixels.length + " values");
        }
        int rows = Math.max(1, (n + columns - 1) / columns);
        if (rowLabels != null && rowLabels.size() < rows) {
            throw new IllegalArgumentException(rows + " rows but " + rowLabels.size() + " row labels");
        }
        int scale = Math.max(1, 56 / Math.max(height, width));
        int gap = 2;
        int left = rowLabels == null ? 10 : 96;
        int cellW = width * scale;
        int cellH = height * scale;
        int w = Math.max(320, left + columns * (cellW + gap) - gap + 10);
        int h = HEADER + rows * (cellH + gap) - gap + 10;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image);
        drawHeader(g, title, n + " images", w);
        g.setFont(font(Font.PLAIN, 11));
        for (int r = 0; r < rows; r++) {
            int y0 = HEADER + r * (cellH + gap);
            if (rowLabels != null) {
                g.setColor(INK);
                drawClipped(g, rowLabels.get(r), 10, y0 + cellH / 2 + 4, left - 16);
            }
            for (int c = 0; c < columns && r * columns + c < n; c++) {
                int offset = (r * columns + c) * height * width;
                int x0 = left + c * (cellW + gap);
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double v = pixels[offset + y * width + x];
                        int grey = (int) Math.round(255 * (Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v))));
                        int rgb = (grey << 16) | (grey << 8) | grey;
                        for (int dy = 0; dy < scale; dy++) {
                            for (int dx = 0; dx < scale; dx++) {
                                image.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                            }
                        }
                    }
                }
            }
        }
        g.dispose();
        return image;
    }

    /** Nats above the lowest energy in view that the landscape's shading spans; higher energies stay white. */
    static final double LANDSCAPE_SPAN = 10;

    /**
     * An energy landscape over a 2-D box with trajectories on it (Langevin or MCMC chains, say): the shading is
     * -E(x) over the {@value #LANDSCAPE_SPAN} nats below its maximum in view (the log of an unnormalized density, so
     * equal steps of shade are equal density ratios), each path a polyline from a hollow start to a filled end, and
     * {@code pointsXY} as dots.
     *
     * @param energy   E at the centres of a {@code grid x grid} lattice over {@code range}, row by row from the bottom
     *                 (y = yMin) up, x from left to right; non-finite values are drawn as high energy
     * @param range    {xMin, xMax, yMin, yMax}
     * @param paths    each path's points, interleaved x, y
     * @param pointsXY further points (final samples), interleaved x, y; may be empty
     */
    public static BufferedImage landscape(double[] energy, int grid, double[] range, List<double[]> paths,
                                          double[] pointsXY, String title) {
        if (grid < 2 || energy.length != grid * grid) {
            throw new IllegalArgumentException("energy must hold grid x grid values with grid >= 2, got "
                    + energy.length + " for grid " + grid);
        }
        if (range.length != 4 || !(range[1] > range[0]) || !(range[3] > range[2])) {
            throw new IllegalArgumentException("range must be {xMin, xMax, yMin, yMax} with positive spans, was "
                    + Arrays.toString(range));
        }
        paths.forEach(p -> checkInterleaved("path", p));
        checkInterleaved("pointsXY", pointsXY);
        double min = Double.POSITIVE_INFINITY;
        for (double e : energy) {
            if (Double.isFinite(e)) {
                min = Math.min(min, e);
            }
        }
        double[] shade = new double[grid * grid];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                double e = energy[r * grid + c];
                double t = Double.isFinite(e) && Double.isFinite(min) ? 1 - (e - min) / LANDSCAPE_SPAN : 0;
                // row 0 of the shades is the top of the picture
                shade[(grid - 1 - r) * grid + c] = Math.max(0, Math.min(1, t));
            }
        }
        int side = 2 * PANEL - 60;
        int left = 56;
        int top = 16;
        BufferedImage image = new BufferedImage(left + side + 20, HEADER + top + side + 36, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = begin(image);
        drawHeader(g, title, "shading: -E over " + (int) LANDSCAPE_SPAN + " nats", image.getWidth());
        Rectangle area = new Rectangle(left, HEADER + top, side, side);
        Axes axes = new Axes(area, range[0], range[1], range[2], range[3]);
        paintHeat(image, area, shade, grid);
        drawGrid(g, axes);
        drawDots(g, axes, pointsXY, DOTS[0]);
        Shape clip = g.getClip();
        g.clip(area);
        g.setStroke(new BasicStroke(1.3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int i = 0; i < paths.size(); i++) {
            double[] p = paths.get(i);
            Color color = LINES[(i + 1) % LINES.length];
            g.setColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 200));
            Path2D.Double line = new Path2D.Double();
            boolean open = false;
            for (int k = 0; k + 1 < p.length; k += 2) {
                if (!Double.isFinite(p[k]) || !Double.isFinite(p[k + 1])) {
                    open = false;
                    continue;
                }
                if (open) {
                    line.lineTo(axes.px(p[k]), axes.py(p[k + 1]));
                } else {
                    line.moveTo(axes.px(p[k]), axes.py(p[k + 1]));
                    open = true;
                }
            }
            g.draw(line);
            if (p.length >= 2) {
                g.setColor(color);
                g.draw(new Ellipse2D.Double(axes.px(p[0]) - 3.5, axes.py(p[1]) - 3.5, 7, 7));
                int e = p.length - 2;
                g.fill(new Ellipse2D.Double(axes.px(p[e]) - 3, axes.py(p[e + 1]) - 3, 6, 6));
            }
        }
        g.setClip(clip);
        g.setStroke(new BasicStroke(1f));
        drawFrameAndTicks(g, axes);
        g.dispose();
        return image;
    }

    /** Writes a PNG to a temporary file beside {@code file} and renames it, so readers never see half an image. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer for an image of type " + image.getType());
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- layout, shared with the tests so they can find where things are drawn

    /** Data coordinates to pixels inside {@code area}; y grows upwards. */
    record Axes(Rectangle area, double xMin, double xMax, double yMin, double yMax) {
        double px(double x) {
            return area.x + (x - xMin) / (xMax - xMin) * area.width;
        }

        double py(double y) {
            return area.y + area.height - (y - yMin) / (yMax - yMin) * area.height;
        }
    }

    /** The plot area of density panel {@code i}: square, left room for tick labels, top for the caption. */
    static Rectangle densityArea(int i) {
        int left = 46;
        int right = 14;
        int top = 26;
        int side = PANEL - left - right;
        return new Rectangle(i * PANEL + left, HEADER + top, side, side);
    }

    /** {xMin, xMax, yMin, yMax}: equal spans so that circles stay round. */
    public static double[] densityRange(double[] dataXY, Map<String, double[]> samplesXY) {
        double[] source = dataXY;
        if (finiteCount(dataXY) == 0) {
            source = samplesXY.values().stream().flatMapToDouble(Arrays::stream).toArray();
        }
        double[] xs = coordinate(source, 0);
        double[] ys = coordinate(source, 1);
        if (xs.length == 0) {
            return new double[] {-1, 1, -1, 1};
        }
        Arrays.sort(xs);
        Arrays.sort(ys);
        double x0 = quantile(xs, 0.005);
        double x1 = quantile(xs, 0.995);
        double y0 = quantile(ys, 0.005);
        double y1 = quantile(ys, 0.995);
        double span = Math.max(x1 - x0, y1 - y0);
        if (!(span > 0)) {
            span = Math.max(1e-9, Math.max(Math.abs(x0), Math.abs(y0)));
        }
        span *= 1.2; // 10% padding on each side
        double cx = (x0 + x1) / 2;
        double cy = (y0 + y1) / 2;
        return new double[] {cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2};
    }

    static Axes lineAxes(Map<String, double[][]> series) {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (double[][] sv : series.values()) {
            for (int j = 0; j < sv[0].length; j++) {
                if (Double.isFinite(sv[0][j]) && Double.isFinite(sv[1][j])) {
                    x0 = Math.min(x0, sv[0][j]);
                    x1 = Math.max(x1, sv[0][j]);
                    y0 = Math.min(y0, sv[1][j]);
                    y1 = Math.max(y1, sv[1][j]);
                }
            }
        }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
            y0 = 0;
            y1 = 1;
        }
        if (x1 == x0) {
            x0 -= 0.5;
            x1 += 0.5;
        }
        if (y1 == y0) {
            double half = Math.max(Math.abs(y0) * 0.05, 0.5);
            y0 -= half;
            y1 += half;
        }
        double xPad = (x1 - x0) * 0.02;
        x0 -= xPad;
        x1 += xPad;
        double pad = (y1 - y0) * 0.05;
        Rectangle area = new Rectangle(76, HEADER + 10, LINE_WIDTH - 76 - 24, LINE_HEIGHT - HEADER - 10 - 52);
        return new Axes(area, x0, x1, y0 - pad, y1 + pad);
    }

    // ---- drawing

    private static Graphics2D begin(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    private static Font font(int style, int size) {
        return new Font(Font.SANS_SERIF, style, size);
    }

    private static void drawHeader(Graphics2D g, String title, String note, int width) {
        g.setFont(font(Font.BOLD, 15));
        g.setColor(INK);
        drawClipped(g, title == null ? "" : title, 14, 25, width - 28);
        if (!note.isEmpty()) {
            g.setFont(font(Font.PLAIN, 11));
            g.setColor(MUTED);
            FontMetrics fm = g.getFontMetrics();
            int titleEnd = 14 + g.getFontMetrics(font(Font.BOLD, 15)).stringWidth(title == null ? "" : title) + 16;
            int x = Math.max(titleEnd, width - 14 - fm.stringWidth(note));
            if (x + fm.stringWidth(note) <= width - 4) {
                g.drawString(note, x, 25);
            }
        }
    }

    /**
     * The data histogram as shades in [0, 1]: log(1 + count) over its maximum, after a 1-2-1 blur in each
     * direction (a few thousand points leave a raw histogram speckled). Row 0 is the top.
     */
    private static double[] heatMap(double[] dataXY, double[] range) {
        int[] counts = new int[BINS * BINS];
        for (int i = 0; i + 1 < dataXY.length; i += 2) {
            int bx = (int) Math.floor((dataXY[i] - range[0]) / (range[1] - range[0]) * BINS);
            int by = (int) Math.floor((dataXY[i + 1] - range[2]) / (range[3] - range[2]) * BINS);
            if (bx >= 0 && bx < BINS && by >= 0 && by < BINS) {
                counts[(BINS - 1 - by) * BINS + bx]++;
            }
        }
        double[] shade = blur(blur(counts, 1), BINS);
        double norm = Math.log1p(Arrays.stream(shade).max().orElse(0));
        for (int k = 0; k < shade.length; k++) {
            shade[k] = norm > 0 ? Math.log1p(shade[k]) / norm : 0;
        }
        return shade;
    }

    /** Bilinear interpolation of the shades onto every pixel of {@code area}, so bins do not show as blocks. */
    private static void paintHeat(BufferedImage image, Rectangle area, double[] shade) {
        paintHeat(image, area, shade, BINS);
    }

    /** The same for a {@code bins x bins} grid of shades, row 0 at the top. */
    private static void paintHeat(BufferedImage image, Rectangle area, double[] shade, int bins) {
        for (int py = 0; py < area.height; py++) {
            double v = Math.max(0, Math.min(bins - 1, (py + 0.5) / area.height * bins - 0.5));
            int r0 = Math.min(bins - 2, (int) v);
            double fv = v - r0;
            for (int px = 0; px < area.width; px++) {
                double u = Math.max(0, Math.min(bins - 1, (px + 0.5) / area.width * bins - 0.5));
                int c0 = Math.min(bins - 2, (int) u);
                double fu = u - c0;
                double t = (1 - fv) * ((1 - fu) * shade[r0 * bins + c0] + fu * shade[r0 * bins + c0 + 1])
                        + fv * ((1 - fu) * shade[(r0 + 1) * bins + c0] + fu * shade[(r0 + 1) * bins + c0 + 1]);
                image.setRGB(area.x + px, area.y + py, heatColor(t));
            }
        }
    }

    /** [1, 2, 1] / 4 along rows ({@code stride} 1) or columns ({@code stride} BINS) of a BINS x BINS grid. */
    private static double[] blur(int[] grid, int stride) {
        return blur(Arrays.stream(grid).asDoubleStream().toArray(), stride);
    }

    private static double[] blur(double[] grid, int stride) {
        double[] out = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            int along = stride == 1 ? i % BINS : i / BINS;
            double left = along > 0 ? grid[i - stride] : 0;
            double right = along < BINS - 1 ? grid[i + stride] : 0;
            out[i] = (left + 2 * grid[i] + right) / 4;
        }
        return out;
    }

    private static int heatColor(double t) {
        double s = Math.min(1, Math.max(0, t)) * (HEAT.length - 1);
        int k = Math.min(HEAT.length - 2, (int) s);
        double f = s - k;
        int rgb = 0;
        for (int ch = 0; ch < 3; ch++) {
            double v = HEAT[k][ch] + f * (HEAT[k + 1][ch] - HEAT[k][ch]);
            rgb = (rgb << 8) | (int) Math.round(255 * v);
        }
        return rgb;
    }

    /** Returns how many points fell outside the axes (or were not finite). */
    private static int drawDots(Graphics2D g, Axes axes, double[] xy, Color color) {
        int n = xy.length / 2;
        if (n == 0) {
            return 0;
        }
        // Dense sample clouds get fainter dots so that their density, not their outline, shows.
        float alpha = (float) Math.max(0.12, Math.min(0.85, 24 / Math.sqrt(n)));
        g.setColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), Math.round(alpha * 255)));
        Shape clip = g.getClip();
        g.clip(axes.area());
        int stride = Math.max(1, (n + MAX_DOTS - 1) / MAX_DOTS);
        double r = n > 5000 ? 1.3 : 1.7;
        Ellipse2D.Double dot = new Ellipse2D.Double();
        int outside = 0;
        for (int i = 0; i < n; i++) {
            double x = xy[2 * i];
            double y = xy[2 * i + 1];
            if (!(x >= axes.xMin() && x <= axes.xMax() && y >= axes.yMin() && y <= axes.yMax())) {
                outside++;
                continue;
            }
            if (i % stride == 0) {
                dot.setFrame(axes.px(x) - r, axes.py(y) - r, 2 * r, 2 * r);
                g.fill(dot);
            }
        }
        g.setClip(clip);
        return outside;
    }

    private static void drawGrid(Graphics2D g, Axes axes) {
        Rectangle a = axes.area();
        g.setStroke(new BasicStroke(1f));
        g.setColor(GRID);
        for (double t : ticks(axes.xMin(), axes.xMax())) {
            int px = (int) Math.round(axes.px(t));
            g.drawLine(px, a.y, px, a.y + a.height);
        }
        for (double t : ticks(axes.yMin(), axes.yMax())) {
            int py = (int) Math.round(axes.py(t));
            g.drawLine(a.x, py, a.x + a.width, py);
        }
    }

    private static void drawFrameAndTicks(Graphics2D g, Axes axes) {
        Rectangle a = axes.area();
        g.setStroke(new BasicStroke(1f));
        g.setColor(FRAME);
        g.drawRect(a.x, a.y, a.width, a.height);
        g.setFont(font(Font.PLAIN, 10));
        FontMetrics fm = g.getFontMetrics();
        double[] xt = ticks(axes.xMin(), axes.xMax());
        for (double t : xt) {
            int px = (int) Math.round(axes.px(t));
            g.setColor(FRAME);
            g.drawLine(px, a.y + a.height, px, a.y + a.height + 4);
            String label = format(t, xt);
            g.setColor(MUTED);
            g.drawString(label, px - fm.stringWidth(label) / 2, a.y + a.height + 6 + fm.getAscent());
        }
        double[] yt = ticks(axes.yMin(), axes.yMax());
        for (double t : yt) {
            int py = (int) Math.round(axes.py(t));
            g.setColor(FRAME);
            g.drawLine(a.x - 4, py, a.x, py);
            String label = format(t, yt);
            g.setColor(MUTED);
            g.drawString(label, a.x - 7 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
    }

    /** In whichever corner of the plot hides the fewest points, top right when that is a tie. */
    private static void drawLegend(Graphics2D g, Map<String, double[][]> series, Axes axes) {
        Rectangle area = axes.area();
        g.setFont(font(Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        List<String> names = new ArrayList<>(series.keySet());
        int width = 0;
        for (String s : names) {
            width = Math.max(width, fm.stringWidth(s));
        }
        int rowH = fm.getHeight() + 2;
        int boxW = Math.min(width + 40, area.width - 16);
        int boxH = rowH * names.size() + 8;
        int left = area.x + 8;
        int right = area.x + area.width - boxW - 8;
        int top = area.y + 8;
        int bottom = area.y + area.height - boxH - 8;
        Rectangle best = null;
        int fewest = Integer.MAX_VALUE;
        for (int[] corner : new int[][] {{right, top}, {left, top}, {right, bottom}, {left, bottom}}) {
            Rectangle box = new Rectangle(corner[0] - 4, corner[1] - 4, boxW + 8, boxH + 8);
            int hidden = 0;
            for (double[][] sv : series.values()) {
                for (int j = 0; j < sv[0].length; j++) {
                    if (Double.isFinite(sv[0][j]) && Double.isFinite(sv[1][j])
                            && box.contains(axes.px(sv[0][j]), axes.py(sv[1][j]))) {
                        hidden++;
                    }
                }
            }
            if (hidden < fewest) {
                fewest = hidden;
                best = new Rectangle(corner[0], corner[1], boxW, boxH);
            }
        }
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(best.x, best.y, best.width, best.height);
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(best.x, best.y, best.width, best.height);
        for (int i = 0; i < names.size(); i++) {
            int cy = best.y + 4 + rowH * i + rowH / 2;
            g.setColor(LINES[i % LINES.length]);
            g.setStroke(new BasicStroke(2.2f));
            g.drawLine(best.x + 8, cy, best.x + 28, cy);
            g.setColor(INK);
            drawClipped(g, names.get(i), best.x + 34, cy + fm.getAscent() / 2 - 1, best.width - 40);
        }
    }

    /** The name in bold, then the detail in grey; the name gives way first when the panel is too narrow. */
    private static void drawCaption(Graphics2D g, String name, String detail, int x, int y, int width) {
        Font plain = font(Font.PLAIN, 11);
        String tail = "  \u00b7  " + detail;
        int tailWidth = g.getFontMetrics(plain).stringWidth(tail);
        g.setFont(font(Font.BOLD, 12));
        g.setColor(INK);
        int nameWidth = Math.min(g.getFontMetrics().stringWidth(name), Math.max(40, width - tailWidth));
        drawClipped(g, name, x, y, nameWidth);
        g.setFont(plain);
        g.setColor(MUTED);
        int used = Math.min(nameWidth, g.getFontMetrics(font(Font.BOLD, 12)).stringWidth(name));
        drawClipped(g, tail, x + used, y, width - used);
    }

    private static void drawClipped(Graphics2D g, String text, int x, int y, int width) {
        FontMetrics fm = g.getFontMetrics();
        String s = text;
        while (!s.isEmpty() && fm.stringWidth(s) > width) {
            s = s.substring(0, s.length() - 1);
        }
        g.drawString(s.length() < text.length() && s.length() > 1 ? s.substring(0, s.length() - 1) + "\u2026" : s, x, y);
    }

    // ---- numbers

    /** Round tick positions (1, 2 or 5 times a power of ten) inside [lo, hi], about five of them. */
    static double[] ticks(double lo, double hi) {
        double step = niceStep((hi - lo) / 5);
        double first = Math.ceil(lo / step - 1e-9) * step;
        List<Double> out = new ArrayList<>();
        for (double t = first; t <= hi + step * 1e-9; t = first + step * out.size()) {
            out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            if (out.size() > 20) {
                break;
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
    }

    /**
     * Enough decimals to tell neighbouring ticks apart; k and M suffixes for large values (step counts), scientific
     * notation for tiny ones; a true minus sign.
     */
    static String format(double t, double[] all) {
        if (t == 0) {
            return "0";
        }
        double step = all.length > 1 ? all[1] - all[0] : Math.abs(t);
        double big = Math.max(Math.abs(all[0]), Math.abs(all[all.length - 1]));
        String text;
        if (big >= 1e5) {
            double scale = big >= 1e9 ? 1e9 : big >= 1e6 ? 1e6 : 1e3;
            String suffix = scale == 1e9 ? "G" : scale == 1e6 ? "M" : "k";
            text = fixed(t / scale, step / scale) + suffix;
        } else if (big < 1e-3) {
            // tiny values: scientific; values near a large offset (a converging log-likelihood) keep fixed notation
            // with as many decimals as the tick step needs, so neighbouring ticks never print alike
            text = String.format(Locale.ROOT, "%.2e", t);
        } else {
            text = fixed(t, step);
        }
        return text.replace('-', '\u2212');
    }

    private static String fixed(double t, double step) {
        int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", t);
    }

    private static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    private static double[] coordinate(double[] xy, int offset) {
        double[] out = new double[xy.length / 2];
        int n = 0;
        for (int i = 0; i + 1 < xy.length; i += 2) {
            if (Double.isFinite(xy[i]) && Double.isFinite(xy[i + 1])) {
                out[n++] = xy[i + offset];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int finiteCount(double[] xy) {
        return coordinate(xy, 0).length;
    }

    private static void checkInterleaved(String what, double[] xy) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException(what + " must hold interleaved x, y pairs; has " + xy.length + " values");
        }
    }
}
