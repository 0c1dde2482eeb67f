package org.genbench.data.images.internal;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.genbench.dataio.DataFileException;

/**
 * One decoded image as planar floats in [0, 1] ({@code [channels][height][width]}, channel-major like the tensors),
 * and the two operations a dataset needs: channel conversion and resampling. Grayscale images are read from their
 * raster samples (Java's RGB view of a gray image applies a colour-space conversion that changes the values);
 * colour to gray uses ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B, as PIL's "L"); alpha is dropped.
 */
record Pixels(int channels, int height, int width, float[] values) {

    static Pixels decode(Path file) throws DataFileException {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataFileException(file + ": unreadable image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new DataFileException(file + ": unreadable image (not a PNG or JPEG this platform can decode)");
        }
        int h = image.getHeight();
        int w = image.getWidth();
        if (image.getColorModel().getNumColorComponents() == 1) {
            Raster r = image.getRaster();
            double max = (1L << image.getColorModel().getComponentSize(0)) - 1;
            float[] v = new float[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[y * w + x] = (float) (r.getSample(x, y, 0) / max);
                }
            }
            return new Pixels(1, h, w, v);
        }
        float[] v = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                v[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
                v[plane + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
                v[2 * plane + y * w + x] = (rgb & 0xff) / 255f;
            }
        }
        return new Pixels(3, h, w, v);
    }

    /** This image with {@code c} channels (1: luma of a colour image; 3: a gray image repeated). */
    Pixels withChannels(int c) {
        if (c == channels) {
            return this;
        }
        int plane = height * width;
        float[] out = new float[c * plane];
        if (c == 1) {
            for (int i = 0; i < plane; i++) {
                out[i] = (float) (0.299 * values[i] + 0.587 * values[plane + i] + 0.114 * values[2 * plane + i]);
            }
        } else {
            for (int k = 0; k < 3; k++) {
                System.arraycopy(values, 0, out, k * plane, plane);
            }
        }
        return new Pixels(c, height, width, out);
    }

    /**
     * Resized to {@code h} x {@code w}. With {@code crop}, the largest centred region of the target's aspect ratio
     * is cut out first (no distortion); without, the whole image is stretched. Resampling is separable with a
     * triangle filter widened by the scale when shrinking (antialiased bilinear, as PIL's BILINEAR).
     */
    Pixels resized(int h, int w, boolean crop) {
        int top = 0;
        int left = 0;
        int ch = height;
        int cw = width;
        if (crop) {
            if ((long) height * w > (long) h * width) {
                ch = Math.max(1, (int) Math.round((double) width * h / w));
                top = (height - ch) / 2;
            } else {
                cw = Math.max(1, (int) Math.round((double) height * w / h));
                left = (width - cw) / 2;
            }
        }
        if (ch == h && cw == w && top == 0 && left == 0 && ch == height && cw == width) {
            return this;
        }
        float[] out = new float[channels * h * w];
        Weights rows = new Weights(top, ch, h);
        Weights cols = new Weights(left, cw, w);
        float[] tmp = new float[ch * w];
        for (int k = 0; k < channels; k++) {
            int base = k * height * width;
            for (int y = 0; y < ch; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int t = 0; t < cols.count[x]; t++) {
                        s += cols.weight[x][t] * values[base + (top + y) * width + cols.first[x] + t];
                    }
                    tmp[y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int t = 0; t < rows.count[y]; t++) {
                        s += rows.weight[y][t] * tmp[(rows.first[y] - top + t) * w + x];
                    }
                    out[k * h * w + y * w + x] = (float) s;
                }
            }
        }
        return new Pixels(channels, h, w, out);
    }

    /** For each output index, the input indices (from {@code first}) and normalized weights that make it. */
    private static final class Weights {
        final int[] first;
        final int[] count;
        final double[][] weight;

        Weights(int offset, int in, int out) {
            first = new int[out];
            count = new int[out];
            weight = new double[out][];
            double scale = (double) in / out;
            double support = Math.max(1, scale);
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support));
                int hi = Math.min(in, (int) Math.ceil(center + support));
                double[] ws = new double[hi - lo];
                double sum = 0;
                for (int j = lo; j < hi; j++) {
                    double wj = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
                    ws[j - lo] = wj;
                    sum += wj;
                }
                for (int j = 0; j < ws.length; j++) {
                    ws[j] /= sum;
                }
                first[i] = offset + lo;
                count[i] = ws.length;
                weight[i] = ws;
            }
        }
    }
}
