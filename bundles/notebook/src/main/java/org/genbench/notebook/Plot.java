package org.genbench.notebook;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Line plots, bar charts with error bars and scatter plots drawn with java.awt (headless) into PNG {@link Image}s
 * for inline display. Deliberately small: enough to compare runs in a notebook, not a plotting library.
 */
public final class Plot {
    static {
        // A kernel has no display; AWT must not look for one.
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private Plot() {
    }

    /** One line per series; each series is {@code {xs, ys}} (e.g. {@link Run#curve}). */
    public static Image lines(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot");
        }
        double[] xr = range(series.values().stream().map(s -> s[0]).toList());
        double[] yr = range(series.values().stream().map(s -> s[1]).toList());
        Canvas c = new Canvas(title, xLabel, yLabel, xr, yr);
        int k = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[] xs = e.getValue()[0];
            double[] ys = e.getValue()[1];
            if (xs.length != ys.length) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' has " + xs.length + " xs and " + ys.length + " ys");
            }
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < xs.length; i++) {
                if (i == 0) {
                    path.moveTo(c.px(xs[i]), c.py(ys[i]));
                } else {
                    path.lineTo(c.px(xs[i]), c.py(ys[i]));
                }
            }
            c.g.setColor(PALETTE[k % PALETTE.length]);
            c.g.setStroke(new BasicStroke(2f));
            c.g.draw(path);
            c.legend(k, e.getKey());
            k++;
        }
        return c.finish();
    }

    /**
     * A bar per row of {@code table}: height from {@code valueColumn}, label from {@code labelColumn}, and an error
     * bar of +-{@code errorColumn} when it is not null (e.g. the std column of {@link Table#summarize}).
     */
    public static Image bars(String title, Table table, String labelColumn, String valueColumn, String errorColumn) {
        double[] v = table.doubles(valueColumn);
        double[] err = errorColumn == null ? new double[v.length] : table.doubles(errorColumn);
        List<Object> labels = table.column(labelColumn);
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < v.length; i++) {
            lo = Math.min(lo, v[i] - err[i]);
            hi = Math.max(hi, v[i] + err[i]);
        }
        Canvas c = new Canvas(title, labelColumn, valueColumn, new double[] {0, v.length}, pad(lo, hi));
        c.noXTicks = true;
        for (int i = 0; i < v.length; i++) {
            double x0 = c.px(i + 0.15);
            double x1 = c.px(i + 0.85);
            double y0 = c.py(0);
            double y1 = c.py(v[i]);
            c.g.setColor(PALETTE[i % PALETTE.length]);
            c.g.fill(new java.awt.geom.Rectangle2D.Double(x0, Math.min(y0, y1), x1 - x0, Math.abs(y1 - y0)));
            c.g.setColor(Color.BLACK);
            c.g.setStroke(new BasicStroke(1.5f));
            double xm = (x0 + x1) / 2;
            if (err[i] > 0) {
                c.g.draw(new Line2D.Double(xm, c.py(v[i] - err[i]), xm, c.py(v[i] + err[i])));
                c.g.draw(new Line2D.Double(xm - 6, c.py(v[i] - err[i]), xm + 6, c.py(v[i] - err[i])));
                c.g.draw(new Line2D.Double(xm - 6, c.py(v[i] + err[i]), xm + 6, c.py(v[i] + err[i])));
            }
            String label = String.valueOf(labels.get(i));
            FontMetrics fm = c.g.getFontMetrics();
            c.g.drawString(label, (float) (xm - fm.stringWidth(label) / 2.0), H - BOTTOM + 16);
        }
        return c.finish();
    }

    /** 2-D samples, one colour per entry (dimensions 0 and 1). */
    public static Image scatter(String title, Map<String, Samples> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to plot");
        }
        for (Map.Entry<String, Samples> e : samples.entrySet()) {
            if (e.getValue().width() < 2) {
                throw new IllegalArgumentException("'" + e.getKey() + "' has " + e.getValue().width() + " dimension(s); a scatter needs 2");
            }
        }
        double[] xr = range(samples.values().stream().map(s -> s.column(0)).toList());
        double[] yr = range(samples.values().stream().map(s -> s.column(1)).toList());
        Canvas c = new Canvas(title, "x0", "x1", xr, yr);
        int k = 0;
        for (Map.Entry<String, Samples> e : samples.entrySet()) {
            Color col = PALETTE[k % PALETTE.length];
            c.g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 90));
            Samples s = e.getValue();
            for (int i = 0; i < s.rows(); i++) {
                c.g.fill(new Ellipse2D.Double(c.px(s.get(i, 0)) - 1.5, c.py(s.get(i, 1)) - 1.5, 3, 3));
            }
            c.g.setColor(col);
            c.legend(k, e.getKey());
            k++;
        }
        return c.finish();
    }

    private static double[] range(List<double[]> arrays) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] a : arrays) {
            for (double d : a) {
                if (Double.isFinite(d)) {
                    lo = Math.min(lo, d);
                    hi = Math.max(hi, d);
                }
            }
        }
        if (lo > hi) {
            throw new IllegalArgumentException("nothing finite to plot");
        }
        return pad(lo, hi);
    }

    private static double[] pad(double lo, double hi) {
        double span = hi - lo;
        if (span == 0) {
            span = Math.max(1e-9, Math.abs(hi));
        }
        return new double[] {lo - 0.05 * span, hi + 0.05 * span};
    }

    /** Axes, title and labels around a plotting area mapping data coordinates to pixels. */
    private static final class Canvas {
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        final double[] xr;
        final double[] yr;
        boolean noXTicks;

        Canvas(String title, String xLabel, String yLabel, double[] xr, double[] yr) {
            this.xr = xr;
            this.yr = yr;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(xLabel, W / 2f, H - 10);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -H / 2f, 14);
            g.rotate(Math.PI / 2);
            g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
        }

        double px(double x) {
            return LEFT + (x - xr[0]) / (xr[1] - xr[0]) * (W - LEFT - RIGHT);
        }

        double py(double y) {
            return H - BOTTOM - (y - yr[0]) / (yr[1] - yr[0]) * (H - TOP - BOTTOM);
        }

        void legend(int k, String name) {
            g.fillRect(W - RIGHT - 150, TOP + 8 + 16 * k, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(name, W - RIGHT - 135, TOP + 17 + 16 * k);
        }

        Image finish() {
            g.setColor(Color.DARK_GRAY);
            for (int i = 0; i <= 4; i++) {
                double y = yr[0] + i * (yr[1] - yr[0]) / 4;
                g.drawString(tick(y), 4, (float) py(y) + 4);
                if (!noXTicks) {
                    double x = xr[0] + i * (xr[1] - xr[0]) / 4;
                    g.drawString(tick(x), (float) px(x) - 12, H - BOTTOM + 16);
                }
            }
            g.dispose();
            return Image.of(img);
        }

        static String tick(double v) {
            return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v != 0) ? String.format(Locale.ROOT, "%.1e", v)
                    : String.format(Locale.ROOT, "%.2f", v);
        }
    }
}
