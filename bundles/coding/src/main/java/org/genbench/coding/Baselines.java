package org.genbench.coding;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * What general-purpose coders make of the same values: gzip at its best setting over the values packed as tightly as
 * a byte stream allows (8 binary values to a byte, else one byte per value up to 256 levels), and PNG of all images
 * stacked into one grayscale strip (bit depth 1 for binary values, else 8; ImageIO's writer), so that neither
 * baseline pays a per-image header.
 */
public final class Baselines {
    private Baselines() {
    }

    /** The packed bytes of symbols in {@code 0..levels-1}: bits for 2 levels, bytes up to 256. */
    public static byte[] packed(int[] symbols, int levels) {
        if (levels == 2) {
            byte[] out = new byte[(symbols.length + 7) / 8];
            for (int i = 0; i < symbols.length; i++) {
                if (symbols[i] != 0) {
                    out[i >>> 3] |= (byte) (0x80 >>> (i & 7));
                }
            }
            return out;
        }
        if (levels <= 256) {
            byte[] out = new byte[symbols.length];
            for (int i = 0; i < symbols.length; i++) {
                out[i] = (byte) symbols[i];
            }
            return out;
        }
        throw new IllegalArgumentException("byte packing covers up to 256 levels, not " + levels);
    }

    /** gzip (deflate level 9) of the packed symbols, in bytes. */
    public static long gzipBytes(int[] symbols, int levels) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(packed(symbols, levels));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    /**
     * PNG of {@code n} images of {@code height x width} symbols stacked vertically into one strip, in bytes; values
     * scaled to the full grey range (v * 255 / (levels - 1)) for more than 2 levels.
     */
    public static long pngBytes(int[] symbols, int levels, int n, int height, int width) {
        return png(symbols, levels, n, height, width).length;
    }

    /** The PNG file itself (see {@link #pngBytes}). */
    public static byte[] png(int[] symbols, int levels, int n, int height, int width) {
        if (levels > 256) {
            throw new IllegalArgumentException("PNG grey covers up to 256 levels, not " + levels);
        }
        BufferedImage image = new BufferedImage(width, n * height,
                levels == 2 ? BufferedImage.TYPE_BYTE_BINARY : BufferedImage.TYPE_BYTE_GRAY);
        java.awt.image.WritableRaster raster = image.getRaster();
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int v = symbols[(i * height + y) * width + x];
                    raster.setSample(x, i * height + y, 0, levels == 2 ? v : v * 255 / (levels - 1));
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
