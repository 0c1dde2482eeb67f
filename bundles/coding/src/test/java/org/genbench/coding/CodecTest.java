package org.genbench.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coder on a small exact model of its own: binary 8x8 images from a Markov chain in raster order whose flip
 * probability depends on the position, p(x_d = x_{d-1}) = q_d. Its conditionals depend on the previous value only, and
 * it uses the default decoder (the whole model again per step on a canvas of the known values), so the test also
 * checks that the default decoder reproduces the teacher-forced conditionals bit for bit.
 */
class CodecTest {
    static final int SIDE = 8;
    static final int D = SIDE * SIDE;
    private BufferAllocator allocator;
    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** The Markov chain; {@code reversed} codes the positions last to first (a non-identity order). */
    static final class Chain implements DiscreteConditionals {
        final double[] stay = new double[D];
        final boolean reversed;

        Chain(boolean reversed) {
            this.reversed = reversed;
            for (int d = 0; d < D; d++) {
                stay[d] = 0.6 + 0.35 * Math.sin(d) * Math.sin(d);
            }
        }

        @Override
        public int levels() {
            return 2;
        }

        @Override
        public int[] order() {
            int[] o = new int[D];
            for (int i = 0; i < D; i++) {
                o[i] = reversed ? D - 1 - i : i;
            }
            return o;
        }

        @Override
        public Tensor conditionalLogProbabilities(Tensor x) {
            int n = (int) x.rows();
            int[] o = order();
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n, D, 2);
            for (int e = 0; e < n; e++) {
                for (int i = 0; i < D; i++) {
                    double p1;
                    if (i == 0) {
                        p1 = 0.3;
                    } else {
                        int prev = (int) x.getDouble((long) e * D + o[i - 1]);
                        p1 = prev == 1 ? stay[i] : 1 - stay[i];
                    }
                    out.setDouble(((long) e * D + i) * 2, Math.log1p(-p1));
                    out.setDouble(((long) e * D + i) * 2 + 1, Math.log(p1));
                }
            }
            return out;
        }

        Tensor draw(int n, Rng rng, BufferAllocator allocator) {
            Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, SIDE, SIDE);
            int[] o = order();
            for (int e = 0; e < n; e++) {
                int prev = 0;
                for (int i = 0; i < D; i++) {
                    double p1 = i == 0 ? 0.3 : prev == 1 ? stay[i] : 1 - stay[i];
                    prev = rng.nextDouble() < p1 ? 1 : 0;
                    x.setDouble((long) e * D + o[i], prev);
                }
            }
            return x;
        }
    }

    @Test
    void decodeOfEncodeIsTheDataAndTheStreamIsWithinOnePercentOfMinusLog2P() throws IOException {
        for (boolean reversed : new boolean[] {false, true}) {
            Chain model = new Chain(reversed);
            try (Tensor x = model.draw(300, new Rng(reversed ? 2 : 1), allocator)) {
                Codec.Encoded enc = Codec.encode(model, x, 64);
                double relative = (enc.bits() - enc.modelBits()) / enc.modelBits();
                assertTrue(Math.abs(relative) < 0.01, "stream " + enc.bits() + " bits, -log2 p " + enc.modelBits());
                assertTrue(enc.bits() <= enc.modelBits() + 96 + 1e-4 * enc.modelBits(), enc.bits() + " vs "
                        + enc.modelBits());
                assertEquals(enc.quantizedBits(), enc.modelBits(), 1e-4 * enc.modelBits());
                try (Tensor back = Codec.decode(model, enc.stream(), 300, new long[] {1, SIDE, SIDE}, 64, allocator)) {
                    assertArrayEquals(x.toDoubleArray(), back.toDoubleArray(), "reversed " + reversed);
                    assertEquals(enc.symbolsSha256(), Codec.sha256(back, 2));
                }
                // and through the file
                Path file = dir.resolve("x" + reversed + ".gbz");
                long size = CompressedFile.write(file, CompressedFile.header(enc, new long[] {1, SIDE, SIDE}, 2, 64,
                        Map.of("family", "chain")), enc.stream());
                CompressedFile.Contents c = CompressedFile.read(file);
                assertEquals(size, c.headerBytes() + c.stream().length);
                assertArrayEquals(enc.stream(), c.stream());
                assertEquals(300, c.examples());
                assertArrayEquals(new long[] {1, SIDE, SIDE}, c.shape());
                assertEquals("chain", ((Map<?, ?>) c.header().get("model")).get("family"));
            }
        }
    }

    @Test
    void valuesThatAreNotLevelsAreRefusedByIndex() {
        Chain model = new Chain(false);
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 1, 1, SIDE, SIDE)) {
            x.setDouble(5, 0.5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.encode(model, x, 1));
            assertTrue(e.getMessage().startsWith("value 0.5 at index 5 is not one of the model's 2 levels"),
                    e.getMessage());
        }
    }

    @Test
    void aTruncatedFileIsNamed() throws IOException {
        Chain model = new Chain(false);
        try (Tensor x = model.draw(20, new Rng(3), allocator)) {
            Codec.Encoded enc = Codec.encode(model, x, 8);
            Path file = dir.resolve("t.gbz");
            CompressedFile.write(file, CompressedFile.header(enc, new long[] {1, SIDE, SIDE}, 2, 8, Map.of()),
                    enc.stream());
            byte[] all = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(all, all.length - 3));
            IOException e = assertThrows(IOException.class, () -> CompressedFile.read(file));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    /** The PNG baseline holds the images: read back, the strip's pixels are the symbols, at 1 and 8 bits. */
    @Test
    void thePngBaselineIsALosslessPictureOfTheSymbols() throws IOException {
        Rng rng = new Rng(4);
        for (int levels : new int[] {2, 256}) {
            int[] s = new int[3 * D];
            for (int i = 0; i < s.length; i++) {
                s[i] = rng.nextInt(levels);
            }
            byte[] png = Baselines.png(s, levels, 3, SIDE, SIDE);
            assertEquals(png.length, Baselines.pngBytes(s, levels, 3, SIDE, SIDE));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(SIDE, img.getWidth());
            assertEquals(3 * SIDE, img.getHeight());
            for (int i = 0; i < s.length; i++) {
                int sample = img.getRaster().getSample(i % SIDE, i / SIDE, 0);
                assertEquals(s[i], sample, "pixel " + i + " at " + levels + " levels");
            }
        }
        // packed bits: 8 values a byte, most significant first
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0x80}, Baselines.packed(new int[] {1, 0, 0, 0, 0, 0, 0, 1, 1}, 2));
        assertTrue(Baselines.gzipBytes(new int[10_000], 2) < 100, "zeros compress");
    }
}
