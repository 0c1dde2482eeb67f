package org.genbench.data.toy.internal;

import org.genbench.testing.TestRunContext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ToyDatasetsTest {
    private BufferAllocator allocator;
    private final ToyDatasets toy = new ToyDatasets();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close(); // fails the test if a split leaked
    }

    private Dataset open(ToyDatasets.Config config, long seed) {
        return toy.open(config, new TestRunContext(new Rng(seed), allocator));
    }

    private static ToyDatasets.Config config(String shape, Double noise) {
        return new ToyDatasets.Config(shape, null, null, noise, null, null);
    }

    @Test
    void sameSeedGivesTheSameDataAndChecksum() {
        try (Dataset a = open(config("two-moons", null), 7); Dataset b = open(config("two-moons", null), 7)) {
            assertArrayEquals(a.split("train").x().toDoubleArray(), b.split("train").x().toDoubleArray());
            assertArrayEquals(a.split("test").x().toDoubleArray(), b.split("test").x().toDoubleArray());
            assertEquals(a.info(), b.info());
        }
    }

    @Test
    void differentSeedsGiveDifferentDataAndChecksums() {
        try (Dataset a = open(config("swiss-roll", null), 1); Dataset b = open(config("swiss-roll", null), 2)) {
            assertFalse(Arrays.equals(a.split("train").x().toDoubleArray(), b.split("train").x().toDoubleArray()));
            assertNotEquals(a.info().checksum(), b.info().checksum());
        }
    }

    @Test
    void testSplitIsIndependentOfTrainSplit() {
        try (Dataset small = open(new ToyDatasets.Config("checkerboard", 10, 300, null, null, null), 3);
                Dataset large = open(new ToyDatasets.Config("checkerboard", 5000, 300, null, null, null), 3)) {
            double[] train = small.split("train").x().toDoubleArray();
            double[] test = small.split("test").x().toDoubleArray();
            assertArrayEquals(test, large.split("test").x().toDoubleArray(),
                    "the test set must not move when the training set grows");
            assertFalse(Arrays.equals(train, Arrays.copyOf(test, train.length)), "train and test streams must differ");
        }
    }

    @Test
    void splitsAreFloat32PointsAndInfoDescribesThem() throws Exception {
        try (Dataset d = open(new ToyDatasets.Config(null, 123, 45, null, null, null), 5)) {
            assertEquals(List.of("train", "test"), d.splits());
            Tensor train = d.split("train").x();
            Tensor test = d.split("test").x();
            assertEquals(DType.FLOAT32, train.dtype());
            assertArrayEquals(new long[] {123, 2}, train.shape());
            assertArrayEquals(new long[] {45, 2}, test.shape());
            DataInfo info = d.info();
            assertEquals("toy/eight-gaussians", info.name());
            assertArrayEquals(new long[] {2}, info.sampleShape());
            assertEquals(DataInfo.CONTINUOUS, info.kind());
            assertEquals(0, info.numClasses());
            // The checksum covers the bytes as stored in the Arrow buffers.
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Tensor t : List.of(train, test)) {
                byte[] bytes = new byte[(int) (t.size() * 4)];
                t.buffer().getBytes(0, bytes);
                digest.update(bytes);
            }
            assertEquals(HexFormat.of().formatHex(digest.digest()), info.checksum());
        }
    }

    @Test
    void unknownSplitNamesTheAvailableOnes() {
        try (Dataset d = open(config("two-moons", null), 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.split("validation"));
            assertTrue(e.getMessage().contains("'validation'") && e.getMessage().contains("[train, test]"), e.getMessage());
        }
    }

    @Test
    void eightGaussiansClusterAroundTheirCentresWithTheConfiguredSpread() {
        double sigma = 0.5 / Math.sqrt(2);
        try (Dataset d = open(config("eight-gaussians", null), 11)) {
            double[] xy = d.split("train").x().toDoubleArray();
            int n = xy.length / 2;
            int[] counts = new int[8];
            double sumSq = 0;
            double sumX = 0;
            double sumY = 0;
            for (int i = 0; i < n; i++) {
                double x = xy[2 * i];
                double y = xy[2 * i + 1];
                int k = (int) Math.floorMod(Math.round(Math.atan2(y, x) / (Math.PI / 4)), 8L);
                double dx = x - 2 * Math.sqrt(2) * Math.cos(k * Math.PI / 4);
                double dy = y - 2 * Math.sqrt(2) * Math.sin(k * Math.PI / 4);
                assertTrue(Math.hypot(dx, dy) < 6 * sigma, "point " + i + " is far from every centre");
                counts[k]++;
                sumSq += dx * dx + dy * dy;
                sumX += x;
                sumY += y;
            }
            // 5 binomial standard deviations around n/8.
            double sd = Math.sqrt(n * 0.125 * 0.875);
            for (int count : counts) {
                assertEquals(n / 8.0, count, 5 * sd, Arrays.toString(counts));
            }
            // Per-coordinate variance around the centre: sigma^2, relative standard error sqrt(1/n) per coordinate pair.
            assertEquals(sigma * sigma, sumSq / (2 * n), 5 * sigma * sigma / Math.sqrt(n));
            double spread = Math.sqrt(4 + sigma * sigma); // per-coordinate sd of the mixture: radius^2 / 2 = 4
            assertEquals(0, sumX / n, 5 * spread / Math.sqrt(n));
            assertEquals(0, sumY / n, 5 * spread / Math.sqrt(n));
        }
    }

    @Test
    void checkerboardPointsLieOnTheBlackSquaresEvenlySpread() {
        try (Dataset d = open(config("checkerboard", null), 13)) {
            double[] xy = d.split("train").x().toDoubleArray();
            int n = xy.length / 2;
            int[][] counts = new int[4][4];
            for (int i = 0; i < n; i++) {
                double x = xy[2 * i];
                double y = xy[2 * i + 1];
                assertTrue(x >= -4 && x < 4 && y >= -4 && y < 4, "outside [-4, 4)^2: " + x + ", " + y);
                int cx = (int) Math.floor(x / 2);
                int cy = (int) Math.floor(y / 2);
                assertEquals(0, Math.floorMod(cx + cy, 2), "point on a white square: " + x + ", " + y);
                counts[cx + 2][cy + 2]++;
            }
            double sd = Math.sqrt(n * 0.125 * 0.875);
            for (int cx = 0; cx < 4; cx++) {
                for (int cy = 0; cy < 4; cy++) {
                    if ((cx + cy) % 2 == 0) {
                        assertEquals(n / 8.0, counts[cx][cy], 5 * sd, Arrays.deepToString(counts));
                    }
                }
            }
        }
    }

    @Test
    void noiselessMoonsLieOnTheirHalfCircles() {
        try (Dataset d = open(config("two-moons", 0.0), 17)) {
            double[] xy = d.split("train").x().toDoubleArray();
            int n = xy.length / 2;
            int upper = 0;
            for (int i = 0; i < n; i++) {
                double x = xy[2 * i];
                double y = xy[2 * i + 1];
                boolean onUpper = Math.abs(Math.hypot(x + 1, y + 0.2) - 2) < 1e-5 && y >= -0.2 - 1e-6;
                boolean onLower = Math.abs(Math.hypot(x - 1, y - 0.8) - 2) < 1e-5 && y <= 0.8 + 1e-6;
                assertTrue(onUpper || onLower, "point off both moons: " + x + ", " + y);
                upper += onUpper ? 1 : 0;
            }
            assertEquals(n / 2.0, upper, 5 * Math.sqrt(n * 0.25));
        }
    }

    @Test
    void moonsHaveTheirAnalyticMean() {
        // Upper moon mean (-1, 4/pi - 0.2), lower (1, 0.8 - 4/pi); equal weights give (0, 0.3).
        try (Dataset d = open(config("two-moons", null), 19)) {
            double[] xy = d.split("train").x().toDoubleArray();
            int n = xy.length / 2;
            double mx = 0;
            double my = 0;
            for (int i = 0; i < n; i++) {
                mx += xy[2 * i] / n;
                my += xy[2 * i + 1] / n;
            }
            // Coordinates stay within about 3.5 of the mean, so sd < 2 bounds the standard error.
            assertEquals(0.0, mx, 5 * 2 / Math.sqrt(n));
            assertEquals(0.3, my, 5 * 2 / Math.sqrt(n));
        }
    }

    @Test
    void noiselessSwissRollFollowsItsSpiral() {
        try (Dataset d = open(config("swiss-roll", 0.0), 23)) {
            double[] xy = d.split("train").x().toDoubleArray();
            int n = xy.length / 2;
            double meanT = 0;
            for (int i = 0; i < n; i++) {
                double t = 5 * Math.hypot(xy[2 * i], xy[2 * i + 1]);
                assertTrue(t >= 1.5 * Math.PI - 1e-5 && t <= 4.5 * Math.PI + 1e-5, "t = " + t);
                double angle = Math.atan2(xy[2 * i + 1], xy[2 * i]);
                double wrapped = Math.IEEEremainder(angle - t, 2 * Math.PI);
                assertEquals(0, wrapped, 1e-5, "angle must equal t modulo 2 pi");
                meanT += t / n;
            }
            // t is uniform on [1.5 pi, 4.5 pi]: mean 3 pi, sd 3 pi / sqrt 12.
            assertEquals(3 * Math.PI, meanT, 5 * 3 * Math.PI / Math.sqrt(12 * n));
        }
    }

    @Test
    void noiseSettingOverridesTheShapeDefault() {
        try (Dataset d = open(config("eight-gaussians", 0.0), 29)) {
            double[] xy = d.split("test").x().toDoubleArray();
            for (int i = 0; i < xy.length / 2; i++) {
                assertEquals(2 * Math.sqrt(2), Math.hypot(xy[2 * i], xy[2 * i + 1]), 1e-6);
            }
        }
    }

    @Test
    void configFillsDefaultsAndRejectsBadValues() {
        ToyDatasets.Config c = new ToyDatasets.Config(null, null, null, null, null, null);
        assertEquals("eight-gaussians", c.shape());
        assertEquals(4000, c.train());
        assertEquals(1000, c.test());
        assertEquals(0.5 / Math.sqrt(2), c.noise(), 1e-15);
        assertEquals(0.0, config("checkerboard", null).noise());
        assertEquals(0.2, config("two-moons", null).noise());
        assertEquals(0.2, config("swiss-roll", null).noise());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("moons", null));
        assertEquals("shape must be one of [two-moons, eight-gaussians, checkerboard, swiss-roll], was 'moons'",
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ToyDatasets.Config(null, 0, null, null, null, null))
                .getMessage().startsWith("train must be in 1.."));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ToyDatasets.Config(null, null, -3, null, null, null))
                .getMessage().startsWith("test must be in 1.."));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config("two-moons", -0.1))
                .getMessage().startsWith("noise must be"));
        assertThrows(IllegalArgumentException.class, () -> config("two-moons", Double.NaN));
        assertEquals(ToyDatasets.Config.class, toy.configType());
        assertEquals("toy", toy.name());
    }

    @Test
    void labelsNameTheModeTheMoonOrTheSquareAndLeaveThePointsAsTheyWere() {
        try (Dataset plain = open(config("eight-gaussians", 0.0), 9);
             Dataset labelled = open(new ToyDatasets.Config("eight-gaussians", null, null, 0.0, true, null), 9)) {
            double[] xy = labelled.split("train").x().toDoubleArray();
            assertArrayEquals(plain.split("train").x().toDoubleArray(), xy);
            assertEquals(8, labelled.info().numClasses());
            assertEquals(0, plain.info().numClasses());
            assertNotEquals(plain.info().checksum(), labelled.info().checksum());
            Tensor y = labelled.split("train").label().orElseThrow();
            for (int i = 0; i < y.size(); i++) {
                double angle = y.getDouble(i) * Math.PI / 4;
                assertEquals(2 * Math.sqrt(2) * Math.cos(angle), xy[2 * i], 1e-5, "point " + i);
                assertEquals(2 * Math.sqrt(2) * Math.sin(angle), xy[2 * i + 1], 1e-5, "point " + i);
            }
        }
        try (Dataset plain = open(config("checkerboard", null), 4);
             Dataset board = open(new ToyDatasets.Config("checkerboard", null, null, null, true, null), 4)) {
            assertArrayEquals(plain.split("test").x().toDoubleArray(), board.split("test").x().toDoubleArray());
            double[] xy = board.split("test").x().toDoubleArray();
            Tensor y = board.split("test").label().orElseThrow();
            int[] counts = new int[8];
            for (int i = 0; i < y.size(); i++) {
                int c = (int) y.getDouble(i);
                counts[c]++;
                // square c: column c / 2 from the left, lower (even) or upper (odd) black square of that column
                int column = (int) Math.floor(xy[2 * i] / 2) + 2;
                assertEquals(c / 2, column, "point " + i);
                double lower = column % 2 == 0 ? -4 : -2; // black squares: cell indices with an even sum
                double bottom = c % 2 == 0 ? lower : lower + 4;
                assertTrue(xy[2 * i + 1] >= bottom && xy[2 * i + 1] < bottom + 2, "point " + i + " of square " + c);
            }
            for (int count : counts) {
                assertTrue(count > 80, Arrays.toString(counts));
            }
        }
        try (Dataset moons = open(new ToyDatasets.Config("two-moons", null, null, 0.0, true, null), 2)) {
            double[] xy = moons.split("train").x().toDoubleArray();
            Tensor y = moons.split("train").label().orElseThrow();
            for (int i = 0; i < y.size(); i++) {
                double cx = y.getDouble(i) == 0 ? -1 : 1;
                double cy = y.getDouble(i) == 0 ? -0.2 : 0.8;
                assertEquals(2, Math.hypot(xy[2 * i] - cx, xy[2 * i + 1] - cy), 1e-5, "point " + i);
            }
        }
    }

    @Test
    void classWeightsSkewTheTrainingSplitOnly() {
        List<Double> weights = List.of(1.0, 1.0, 1.0, 1.0, 0.25, 0.25, 0.25, 0.25);
        try (Dataset d = open(new ToyDatasets.Config("eight-gaussians", 8000, 2000, null, true, weights), 3)) {
            int[] train = new int[8];
            int[] test = new int[8];
            Tensor yTrain = d.split("train").label().orElseThrow();
            Tensor yTest = d.split("test").label().orElseThrow();
            for (int i = 0; i < yTrain.size(); i++) {
                train[(int) yTrain.getDouble(i)]++;
            }
            for (int i = 0; i < yTest.size(); i++) {
                test[(int) yTest.getDouble(i)]++;
            }
            for (int c = 4; c < 8; c++) {
                assertEquals(0.25, (double) train[c] / train[c - 4], 0.06, Arrays.toString(train));
                assertEquals(1.0, (double) test[c] / test[c - 4], 0.25, Arrays.toString(test));
            }
            assertEquals(yTrain.size(), d.split("train").x().rows());
        }
    }

    @Test
    void labelSettingsThatDoNotFitAreRefusedByName() {
        assertEquals("labels: shape 'swiss-roll' has no classes; labelled shapes are two-moons, eight-gaussians,"
                + " checkerboard", assertThrows(IllegalArgumentException.class,
                () -> new ToyDatasets.Config("swiss-roll", null, null, null, true, null)).getMessage());
        assertEquals("classWeights needs labels: true", assertThrows(IllegalArgumentException.class,
                () -> new ToyDatasets.Config(null, null, null, null, null, List.of(1.0))).getMessage());
        assertEquals("classWeights must have one weight per class (2), has 1", assertThrows(
                IllegalArgumentException.class,
                () -> new ToyDatasets.Config("two-moons", null, null, null, true, List.of(1.0))).getMessage());
    }
}
