package org.genbench.data.images.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Dataset;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path workspace;
    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** A gray PNG whose pixel (x, y) is {@code (seed + 16 y + x) mod 256}. */
    private Path gray(String rel, int h, int w, int seed) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (seed + 16 * y + x) % 256);
            }
        }
        return write(rel, img, "png");
    }

    private Path write(String rel, BufferedImage img, String format) throws IOException {
        Path p = workspace.resolve(rel);
        Files.createDirectories(p.getParent());
        assertTrue(ImageIO.write(img, format, p.toFile()));
        return p;
    }

    private Dataset whole(String folder, String channels, List<Integer> size, String resize) throws IOException {
        // The same folder as train and test: the test split is every image, in sorted order.
        return new ImageFolderDataset(workspace).open(new ImageFolderDataset.Config(null, folder, folder, null,
                channels, size, resize), new TestRunContext(1, allocator));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void classFoldersBecomeLabelsAndPixelsComeBackExactly() throws Exception {
        gray("pets/cat/a.png", 4, 4, 0);
        gray("pets/cat/b.png", 4, 4, 100);
        gray("pets/dog/c.png", 4, 4, 200);
        Files.writeString(workspace.resolve("pets/dog/notes.txt"), "not an image; ignored");
        try (Dataset d = whole("pets", null, null, null)) {
            Tensor x = d.split("test").x();
            assertArrayEquals(new long[] {3, 1, 4, 4}, x.shape());
            assertEquals(2, d.info().numClasses(), "cat, dog");
            assertArrayEquals(new double[] {0, 0, 1}, d.split("test").label().orElseThrow().toDoubleArray(), 0);
            for (int i = 0; i < 3; i++) {
                int seed = new int[] {0, 100, 200}[i];
                for (int y = 0; y < 4; y++) {
                    for (int c = 0; c < 4; c++) {
                        assertEquals(((seed + 16 * y + c) % 256) / 255f, (float) x.getDouble(i * 16 + y * 4 + c), 0);
                    }
                }
            }
            StringBuilder listing = new StringBuilder();
            for (String rel : new String[] {"cat/a.png", "cat/b.png", "dog/c.png"}) {
                listing.append(sha256(Files.readAllBytes(workspace.resolve("pets/" + rel)))).append("  pets/")
                        .append(rel).append('\n');
            }
            // train and test are one folder here: each file is listed once
            assertEquals(sha256(listing.toString().getBytes(StandardCharsets.UTF_8)), d.info().checksum(),
                    "sha256 of the listing, as sha256sum prints it");
        }
    }

    @Test
    void colourAndGrayMixAsAskedAndSixteenBitGrayIsScaled() throws Exception {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xFF8000);
        rgb.setRGB(1, 0, 0x0000FF);
        write("mix/a.png", rgb, "png");
        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        g16.getRaster().setSample(1, 0, 0, 13107);
        write("mix/b.png", g16, "png");
        try (Dataset d = whole("mix", null, null, null)) {
            assertArrayEquals(new long[] {2, 3, 1, 2}, d.split("test").x().shape(), "auto: rgb when any has colour");
            double[] v = d.split("test").x().toDoubleArray();
            assertArrayEquals(new double[] {1, 0, 128 / 255f, 0, 0, 1}, java.util.Arrays.copyOf(v, 6), 1e-7);
            assertArrayEquals(new double[] {1, 0.2, 1, 0.2, 1, 0.2}, java.util.Arrays.copyOfRange(v, 6, 12), 1e-7,
                    "gray repeated in each channel, 16 bits scaled by 65535");
        }
        try (Dataset d = whole("mix", "grayscale", null, null)) {
            double[] v = d.split("test").x().toDoubleArray();
            assertEquals(0.299 + 0.587 * 128 / 255.0, v[0], 1e-6, "ITU-R 601 luma");
            assertEquals(0.114, v[1], 1e-6);
        }
    }

    @Test
    void jpegDecodes() throws Exception {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0x336699);
            }
        }
        write("jpg/flat.jpg", img, "jpg");
        try (Dataset d = whole("jpg", "rgb", null, null)) {
            double[] v = d.split("test").x().toDoubleArray();
            assertEquals(0x33 / 255.0, v[0], 3 / 255.0, "lossy, but a flat colour survives");
            assertEquals(0x66 / 255.0, v[256], 3 / 255.0);
            assertEquals(0x99 / 255.0, v[512], 3 / 255.0);
        }
    }

    @Test
    void resizeStretchesOrCropsTheCentre() throws Exception {
        // 2 high, 4 wide, columns 0.2 0.4 0.6 0.8 (as 51, 102, 153, 204 of 255)
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                img.getRaster().setSample(x, y, 0, 51 * (x + 1));
            }
        }
        write("r/a.png", img, "png");
        try (Dataset d = whole("r", null, List.of(2, 2), "crop")) {
            assertArrayEquals(new double[] {0.4, 0.6, 0.4, 0.6}, d.split("test").x().toDoubleArray(), 1e-6,
                    "the centred 2x2 region, not resampled");
        }
        try (Dataset d = whole("r", null, List.of(1, 2), "stretch")) {
            // Halving the width: each output pixel is a weighted mean of the input columns around it, and the
            // filter is symmetric, so the two outputs mirror each other around the image's mean 0.5.
            double[] v = d.split("test").x().toDoubleArray();
            assertEquals(1.0, v[0] + v[1], 1e-6, "symmetric around the middle: the two halves sum to 0.2 + 0.8");
            assertTrue(v[0] > 0.2 && v[0] < 0.5, "left half's mean " + v[0]);
        }
        // Upscaling a linear ramp: bilinear reproduces it exactly away from the edges.
        BufferedImage ramp = new BufferedImage(8, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 8; x++) {
            ramp.getRaster().setSample(x, 0, 0, 20 * x);
        }
        write("ramp/a.png", ramp, "png");
        try (Dataset d = whole("ramp", null, List.of(1, 16), null)) {
            double[] v = d.split("test").x().toDoubleArray();
            for (int i = 2; i < 14; i++) {
                double center = (i + 0.5) / 2 - 0.5; // input coordinate of output pixel i
                assertEquals(20 * center / 255, v[i], 1e-6, "pixel " + i);
            }
        }
    }

    @Test
    void splitsOneFolderWithTheSeed() throws Exception {
        for (int i = 0; i < 10; i++) {
            gray("many/" + i + ".png", 2, 2, i);
        }
        ImageFolderDataset.Config c = new ImageFolderDataset.Config("many", null, null, 0.3, null, null, null);
        try (Dataset d = new ImageFolderDataset(workspace).open(c, new TestRunContext(5, allocator))) {
            assertEquals(7, d.split("train").size());
            assertEquals(3, d.split("test").size());
            assertTrue(d.split("train").label().isEmpty(), "no class folders, no labels");
        }
    }

    @Test
    void badFoldersAndImagesAreRefusedByNameAndNothingLeaks() throws Exception {
        gray("sizes/a.png", 4, 4, 0);
        gray("sizes/b.png", 5, 4, 0);
        assertBad("sizes", workspace.resolve("sizes/b.png") + ": is 5x4 (height x width), but the first image is 4x4");
        gray("broken/a.png", 4, 4, 0);
        Files.write(workspace.resolve("broken/b.png"), new byte[] {1, 2, 3, 4, 5});
        assertBad("broken", workspace.resolve("broken/b.png") + ": unreadable image");
        gray("mixed/a.png", 2, 2, 0);
        gray("mixed/cls/b.png", 2, 2, 0);
        assertBad("mixed", "holds both images (a.png, ...) and sub-folders (cls, ...)");
        Files.createDirectories(workspace.resolve("empty"));
        assertBad("empty", "no .png, .jpg or .jpeg images");
        assertBad("absent", "field 'path': no such folder: " + workspace.resolve("absent"));
        assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset.Config("a", null, null, null, null,
                null, "crop"));
        assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset.Config("a", null, null, null, "cmyk",
                null, null));
    }

    private void assertBad(String folder, String expected) {
        DataFileException e = assertThrows(DataFileException.class, () -> new ImageFolderDataset(workspace).open(
                ImageFolderDataset.Config.of(folder), new TestRunContext(1, allocator)));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory(), "nothing half-loaded");
    }
}
