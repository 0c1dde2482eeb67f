package org.genbench.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    private static final double RADIUS = 2 * Math.sqrt(2);

    /** The eight-Gaussians toy data: centres at radius 2 sqrt 2, sd 0.35. */
    private static double[] eightGaussians(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double angle = r.nextInt(8) * Math.PI / 4;
            xy[2 * i] = RADIUS * Math.cos(angle) + 0.35 * r.nextGaussian();
            xy[2 * i + 1] = RADIUS * Math.sin(angle) + 0.35 * r.nextGaussian();
        }
        return xy;
    }

    private static double[] cluster(int n, double x, double y, double sd, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            xy[2 * i] = x + sd * r.nextGaussian();
            xy[2 * i + 1] = y + sd * r.nextGaussian();
        }
        return xy;
    }

    private static int[] rgb(BufferedImage image, double px, double py) {
        int c = image.getRGB((int) Math.floor(px), (int) Math.floor(py));
        return new int[] {(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff};
    }

    /** Seven of the eight modes, the south one left out, so that an upside-down picture shows. */
    private static double[] withoutSouthMode(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(7);
            double angle = (k == 6 ? 7 : k) * Math.PI / 4;
            xy[2 * i] = RADIUS * Math.cos(angle) + 0.35 * r.nextGaussian();
            xy[2 * i + 1] = RADIUS * Math.sin(angle) + 0.35 * r.nextGaussian();
        }
        return xy;
    }

    @Test
    void densityScatterDrawsEachSamplerOverTheDataHeatMap() {
        double[] data = withoutSouthMode(4000, 1);
        Map<String, double[]> samples = new LinkedHashMap<>();
        samples.put("collapsed", cluster(500, 0, 0, 0.05, 2)); // red dots, where the data has no mass
        samples.put("one-mode", cluster(500, RADIUS, 0, 0.05, 3)); // orange dots on the east mode
        samples.get("one-mode")[0] = 100; // one diverged sample, outside the frame
        BufferedImage image = Plots.densityScatter(data, samples, "seven gaussians");

        assertEquals(2 * Plots.PANEL, image.getWidth());
        assertEquals(Plots.HEADER + Plots.PANEL, image.getHeight());

        double[] range = Plots.densityRange(data, samples);
        Plots.Axes left = new Plots.Axes(Plots.densityArea(0), range[0], range[1], range[2], range[3]);
        Plots.Axes right = new Plots.Axes(Plots.densityArea(1), range[0], range[1], range[2], range[3]);

        int[] collapsed = rgb(image, left.px(0), left.py(0));
        assertTrue(collapsed[0] > 180 && collapsed[0] - collapsed[2] > 100, "red dots at the origin, left panel: "
                + List.of(collapsed[0], collapsed[1], collapsed[2]));
        int[] empty = rgb(image, right.px(0.5), right.py(0.5));
        assertArrayEquals(new int[] {255, 255, 255}, empty, "no data and no samples near (0.5, 0.5): white");

        int[] heat = rgb(image, right.px(-RADIUS), right.py(0));
        assertTrue(heat[2] - heat[0] > 40, "the west mode is shaded blue: " + List.of(heat[0], heat[1], heat[2]));
        assertTrue(heat[0] > 90, "and pale, so dots stay legible: " + List.of(heat[0], heat[1], heat[2]));
        int[] oneMode = rgb(image, right.px(RADIUS), right.py(0));
        assertTrue(oneMode[0] - oneMode[2] > 100, "orange dots on the east mode: "
                + List.of(oneMode[0], oneMode[1], oneMode[2]));
        int[] sameSpotLeft = rgb(image, left.px(RADIUS), left.py(0));
        assertTrue(sameSpotLeft[2] > sameSpotLeft[0], "the left panel has no samples on the east mode, only shading");

        // Orientation, checked without the Axes mapping: north up, so the shaded mode nearest the panel's top
        // edge is the north one and the bottom rows stay white where the south mode is missing.
        Rectangle area = Plots.densityArea(0);
        int cx = area.x + area.width / 2;
        assertTrue(shadedRowsIn(image, cx, area.y, area.y + area.height / 2) > 20, "north mode in the upper half");
        assertEquals(0, shadedRowsIn(image, cx, area.y + area.height / 2 + 20, area.y + area.height - 1),
                "no south mode in the lower half");
    }

    /**
     * A bump in the upper right of one panel and the lower left of the other: yellow where each has its peak, the
     * darkest colour where a panel's values are more than the span below the shared maximum, north up.
     */
    @Test
    void logDensityMapsShareOneScaleAndPutRowZeroAtTheBottom() {
        int grid = 40;
        double[] range = {-2, 2, -2, 2};
        Map<String, double[]> panels = new LinkedHashMap<>();
        double[][] peaks = {{1, 1}, {-1, -1}};
        for (int p = 0; p < 2; p++) {
            double[] v = new double[grid * grid];
            for (int r = 0; r < grid; r++) {
                for (int c = 0; c < grid; c++) {
                    double x = range[0] + (c + 0.5) / grid * 4;
                    double y = range[2] + (r + 0.5) / grid * 4;
                    v[r * grid + c] = -4 * ((x - peaks[p][0]) * (x - peaks[p][0]) + (y - peaks[p][1]) * (y - peaks[p][1]));
                }
            }
            panels.put(p == 0 ? "learned" : "true", v);
        }
        BufferedImage image = Plots.logDensityMaps(panels, grid, range, 10, "bumps");
        assertEquals(2 * Plots.PANEL, image.getWidth());
        Plots.Axes left = new Plots.Axes(Plots.densityArea(0), range[0], range[1], range[2], range[3]);
        Plots.Axes right = new Plots.Axes(Plots.densityArea(1), range[0], range[1], range[2], range[3]);
        int[] peak = rgb(image, left.px(1), left.py(1));
        assertTrue(peak[0] > 200 && peak[1] > 200 && peak[2] < 80, "yellow at the left panel's peak: " + List.of(peak[0], peak[1], peak[2]));
        int[] far = rgb(image, left.px(-1.5), left.py(-1.5));
        assertTrue(far[0] < 90 && far[1] < 20 && far[2] > 60, "dark purple far below the peak: " + List.of(far[0], far[1], far[2]));
        int[] otherPeak = rgb(image, right.px(-1), right.py(-1));
        assertTrue(otherPeak[0] > 200 && otherPeak[1] > 200, "the right panel's peak is lower left");
        assertThrows(IllegalArgumentException.class, () -> Plots.logDensityMaps(Map.of("x", new double[3]), grid, range,
                10, "bad"));
    }

    /** Rows in [from, to] whose pixel in column {@code x} is blue-tinted. */
    private static int shadedRowsIn(BufferedImage image, int x, int from, int to) {
        int rows = 0;
        for (int y = from; y <= to; y++) {
            int[] c = rgb(image, x, y);
            rows += c[2] - c[0] > 25 ? 1 : 0;
        }
        return rows;
    }

    @Test
    void dataAloneGetsOnePanel() {
        BufferedImage image = Plots.densityScatter(eightGaussians(1000, 4), Map.of(), "data");
        assertEquals(Plots.PANEL, image.getWidth());
        assertEquals(Plots.HEADER + Plots.PANEL, image.getHeight());
    }

    @Test
    void rangeIgnoresOutliersAndPadsTheCentralQuantilesByTenPercent() {
        int n = 20_000;
        double[] data = new double[2 * n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextDouble();
        }
        data[0] = 1e6; // one wild point must not squash the picture
        double[] range = Plots.densityRange(data, Map.of("s", new double[] {-50, 50}));
        // 0.5%-99.5% of U[0, 1] is [0.005, 0.995]: span 0.99, padded to 1.188 around 0.5.
        assertEquals(0.5 - 0.594, range[0], 0.01);
        assertEquals(0.5 + 0.594, range[1], 0.01);
        assertEquals(range[1] - range[0], range[3] - range[2], 1e-12, "square range");
        double[] fromSamples = Plots.densityRange(new double[0], Map.of("s", new double[] {-1, -1, 1, 1}));
        assertTrue(fromSamples[0] < -1 && fromSamples[1] > 1, "without data the samples set the range");
    }

    @Test
    void lineChartDrawsEachSeriesWhereItsValuesAre() {
        int n = 101;
        double[] steps = new double[n];
        double[] flat = new double[n];
        double[] rising = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i;
            flat[i] = 1;
            rising[i] = 2.0 * i / (n - 1);
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("flat", new double[][] {steps, flat});
        series.put("rising", new double[][] {steps, rising});
        BufferedImage image = Plots.lineChart(series, "loss", "step");
        assertEquals(Plots.LINE_WIDTH, image.getWidth());
        assertEquals(Plots.LINE_HEIGHT, image.getHeight());

        Plots.Axes axes = Plots.lineAxes(series);
        // tab10 blue (31, 119, 180) for the first series, orange (255, 127, 14) for the second.
        assertTrue(near(image, axes.px(30), axes.py(1), c -> c[2] - c[0] > 80), "blue flat line at y = 1");
        assertTrue(near(image, axes.px(75), axes.py(1.5), c -> c[0] - c[2] > 120), "orange line at (75, 1.5)");
        int[] blank = rgb(image, axes.px(25), axes.py(1.7));
        assertTrue(Math.abs(blank[0] - blank[2]) < 5 && blank[0] > 200, "nothing drawn at (25, 1.7)");
    }

    private static boolean near(BufferedImage image, double px, double py, Predicate<int[]> test) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                if (test.test(rgb(image, px + dx, py + dy))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void badInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Plots.densityScatter(new double[3], Map.of(), "t"));
        assertThrows(IllegalArgumentException.class,
                () -> Plots.lineChart(Map.of("a", new double[][] {{1, 2}, {1}}), "t", "step"));
    }

    @Test
    void ticksAreRoundNumbersWithRealMinusSigns() {
        assertArrayEquals(new double[] {-4, -2, 0, 2, 4}, Plots.ticks(-4.7, 4.7), 1e-12);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, Plots.ticks(-0.05, 1.05), 1e-12);
        assertEquals("\u22122", Plots.format(-2, new double[] {-4, -2, 0}));
        assertEquals("0.5", Plots.format(0.5, new double[] {0, 0.5, 1}));
        assertEquals("200k", Plots.format(200_000, new double[] {0, 200_000, 400_000}));
    }

    @Test
    void writePngReplacesTheFileWholeAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plots/loss.png");
        BufferedImage first = Plots.lineChart(Map.of("a", new double[][] {{0, 1}, {0, 1}}), "first", "step");
        Plots.writePng(first, file);
        BufferedImage second = Plots.densityScatter(eightGaussians(200, 6), Map.of(), "second");
        Plots.writePng(second, file);
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(second.getWidth(), read.getWidth());
        assertEquals(second.getHeight(), read.getHeight());
        for (int y = 0; y < read.getHeight(); y += 17) {
            for (int x = 0; x < read.getWidth(); x += 13) {
                assertEquals(second.getRGB(x, y), read.getRGB(x, y));
            }
        }
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aLandscapeShadesLowEnergyAndDrawsPathsTheRightWayUp(@TempDir Path dir) throws Exception {
        // E = |x - (1, 2)|^2: one well in the upper right of the box [-3, 3]^2.
        int grid = 60;
        double[] range = {-3, 3, -3, 3};
        double[] energy = new double[grid * grid];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                double x = range[0] + (c + 0.5) / grid * 6;
                double y = range[2] + (r + 0.5) / grid * 6;
                energy[r * grid + c] = (x - 1) * (x - 1) + (y - 2) * (y - 2);
            }
        }
        double[] path = {-2, -2, -1, -1, 0, 0, 1, 2};
        BufferedImage image = Plots.landscape(energy, grid, range, List.of(path), new double[0], "well");
        int side = 2 * Plots.PANEL - 60;
        int left = 56;
        int top = Plots.HEADER + 16;
        java.util.function.DoubleUnaryOperator px = x -> left + (x + 3) / 6 * side;
        java.util.function.DoubleUnaryOperator py = y -> top + side - (y + 3) / 6 * side;
        int[] well = rgb(image, px.applyAsDouble(1.3), py.applyAsDouble(2.3));
        int[] far = rgb(image, px.applyAsDouble(-2.8), py.applyAsDouble(2.8));
        assertTrue(well[0] < 140 && well[2] > well[0], "the well is shaded: " + java.util.Arrays.toString(well));
        assertArrayEquals(new int[] {255, 255, 255}, far, "more than the span above the minimum stays white");
        // the mirror image of the well (y = -2) is far from it: an upside-down picture would shade it
        int[] mirror = rgb(image, px.applyAsDouble(1.3), py.applyAsDouble(-2.3));
        assertArrayEquals(new int[] {255, 255, 255}, mirror);
        // the path's midpoint (-0.5, -0.5) carries the path's colour, not white
        int[] onPath = rgb(image, px.applyAsDouble(-0.5), py.applyAsDouble(-0.5));
        assertTrue(!(onPath[0] > 250 && onPath[1] > 250 && onPath[2] > 250), java.util.Arrays.toString(onPath));
        Plots.writePng(image, dir.resolve("landscape.png"));
        assertThrows(IllegalArgumentException.class, () -> Plots.landscape(new double[5], 2, range, List.of(),
                new double[0], "bad"));
    }
}
