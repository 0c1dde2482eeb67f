package org.genbench.sweep.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sweep's picture: one panel per metric, the settings along x; each seed's value a dot, each setting's mean a
 * horizontal line with ± one standard deviation as whiskers. Plain Java2D, like the run pictures.
 */
final class SweepPlot {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int PANEL_W = 420;
    static final int PANEL_H = 300;
    static final int COLUMNS = 3;
    static final int HEADER = 44;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    private static final Color FRAME = new Color(0x99, 0x99, 0x99);
    private static final Color GRID = new Color(0, 0, 0, 22);
    private static final Color BAR = new Color(0x1f, 0x77, 0xb4);
    private static final Color DOT = new Color(0xff, 0x7f, 0x0e);

    /** One metric: per setting the values of its seeds (NaN for a seed that lacks it), mean and sd (NaN if none). */
    record Panel(String metric, String kind, List<double[]> values, double[] mean, double[] sd) {
    }

    private SweepPlot() {
    }

    static BufferedImage draw(String title, String note, List<String> settings, List<Panel> panels) {
        int n = Math.max(1, panels.size());
        int cols = Math.min(COLUMNS, n);
        int rows = (n + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * PANEL_W, HEADER + rows * PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(INK);
        g.setFont(font(Font.BOLD, 15));
        g.drawString(title, 14, 22);
        g.setColor(MUTED);
        g.setFont(font(Font.PLAIN, 11));
        g.drawString(note, 14, 38);
        if (panels.isEmpty()) {
            g.drawString("no completed runs with metrics that vary", 14, HEADER + 30);
        }
        for (int i = 0; i < panels.size(); i++) {
            int x0 = (i % cols) * PANEL_W;
            int y0 = HEADER + (i / cols) * PANEL_H;
            panel(g, panels.get(i), settings, x0, y0);
        }
        g.dispose();
        return img;
    }

    private static void panel(Graphics2D g, Panel p, List<String> settings, int x0, int y0) {
        int left = x0 + 62;
        int right = x0 + PANEL_W - 14;
        int top = y0 + 28;
        int bottom = y0 + PANEL_H - 48;
        g.setColor(INK);
        g.setFont(font(Font.BOLD, 12));
        drawClipped(g, p.metric(), x0 + 14, y0 + 18, PANEL_W - 90);
        g.setColor(MUTED);
        g.setFont(font(Font.PLAIN, 11));
        String kind = p.kind() == null || p.kind().isEmpty() ? "" : p.kind();
        g.drawString(kind, right - g.getFontMetrics().stringWidth(kind), y0 + 18);

        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < settings.size(); s++) {
            for (double v : p.values().get(s)) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            if (Double.isFinite(p.mean()[s]) && Double.isFinite(p.sd()[s])) {
                lo = Math.min(lo, p.mean()[s] - p.sd()[s]);
                hi = Math.max(hi, p.mean()[s] + p.sd()[s]);
            }
        }
        if (!(hi >= lo)) {
            g.drawString("no finite values", left + 10, (top + bottom) / 2);
            return;
        }
        if (hi == lo) {
            double pad = Math.abs(hi) * 0.05 + 1e-9;
            lo -= pad;
            hi += pad;
        }
        double pad = (hi - lo) * 0.08;
        lo -= pad;
        hi += pad;
        final double ylo = lo;
        final double yhi = hi;
        java.util.function.DoubleUnaryOperator sy = v -> bottom - (v - ylo) / (yhi - ylo) * (bottom - top);

        g.setFont(font(Font.PLAIN, 10));
        FontMetrics fm = g.getFontMetrics();
        double[] ticks = ticks(lo, hi);
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        for (double t : ticks) {
            int y = (int) Math.round(sy.applyAsDouble(t));
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(MUTED);
            String label = tickLabel(t, step);
            g.drawString(label, left - 5 - fm.stringWidth(label), y + 4);
        }
        g.setColor(FRAME);
        g.drawRect(left, top, right - left, bottom - top);

        int k = settings.size();
        double cw = (right - left) / (double) k;
        for (int s = 0; s < k; s++) {
            double cx = left + cw * (s + 0.5);
            double m = p.mean()[s];
            double sd = p.sd()[s];
            if (Double.isFinite(m)) {
                double w = Math.min(cw * 0.5, 46);
                double ym = sy.applyAsDouble(m);
                g.setColor(BAR);
                g.setStroke(new BasicStroke(2.4f));
                g.draw(new Line2D.Double(cx - w / 2, ym, cx + w / 2, ym));
                if (Double.isFinite(sd) && sd > 0) {
                    double y1 = sy.applyAsDouble(m - sd);
                    double y2 = sy.applyAsDouble(m + sd);
                    g.setStroke(new BasicStroke(1.4f));
                    g.draw(new Line2D.Double(cx, y1, cx, y2));
                    g.draw(new Line2D.Double(cx - 6, y1, cx + 6, y1));
                    g.draw(new Line2D.Double(cx - 6, y2, cx + 6, y2));
                }
            }
            double[] vs = p.values().get(s);
            for (int j = 0; j < vs.length; j++) {
                if (!Double.isFinite(vs[j])) {
                    continue;
                }
                double jitter = vs.length > 1 ? (j / (vs.length - 1.0) - 0.5) * Math.min(cw * 0.3, 24) : 0;
                double y = sy.applyAsDouble(vs[j]);
                g.setColor(DOT);
                g.fill(new Ellipse2D.Double(cx + jitter - 3.2, y - 3.2, 6.4, 6.4));
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(0.8f));
                g.draw(new Ellipse2D.Double(cx + jitter - 3.2, y - 3.2, 6.4, 6.4));
            }
            g.setColor(INK);
            g.setFont(font(Font.PLAIN, 10));
            List<String> lines = wrap(settings.get(s), g.getFontMetrics(), (int) cw - 4);
            for (int l = 0; l < Math.min(3, lines.size()); l++) {
                String line = lines.get(l);
                g.drawString(line, (int) (cx - g.getFontMetrics().stringWidth(line) / 2.0), bottom + 14 + 12 * l);
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** Splits a setting label at its separators to fit {@code width}. */
    static List<String> wrap(String label, FontMetrics fm, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String part : label.split("(?<=_)")) {
            if (cur.length() > 0 && fm.stringWidth(cur + part) > width) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            cur.append(part);
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static void drawClipped(Graphics2D g, String text, int x, int y, int width) {
        FontMetrics fm = g.getFontMetrics();
        String t = text;
        while (t.length() > 1 && fm.stringWidth(t) > width) {
            t = t.substring(0, t.length() - 2) + "…";
        }
        g.drawString(t, x, y);
    }

    private static Font font(int style, int size) {
        return new Font(Font.SANS_SERIF, style, size);
    }

    /** Round tick positions (1, 2 or 5 times a power of ten) inside [lo, hi], about five of them. */
    static double[] ticks(double lo, double hi) {
        double span = hi - lo;
        double raw = span / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = 10 * mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (span / (m * mag) <= 5.5) {
                step = m * mag;
                break;
            }
        }
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
            out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static String tickLabel(double t, double step) {
        double a = Math.abs(t);
        if (a != 0 && (a >= 1e6 || a < 1e-4)) {
            return String.format(Locale.ROOT, "%.1e", t);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", t);
    }
}
