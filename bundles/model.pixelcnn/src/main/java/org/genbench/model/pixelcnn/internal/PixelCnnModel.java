package org.genbench.model.pixelcnn.internal;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Autoregressive;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.density.DensityModel;
import org.genbench.density.ModelSpace;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/**
 * A PixelCNN over the levels of single-channel images: binary data (one logit per pixel) or discrete data with L
 * levels (L logits per pixel, 256 for 8-bit). Works on the levels themselves; held-out inputs arrive dequantized
 * and are scored at their levels ({@link ModelSpace.Mode#QUANTIZE}). The network sees the levels scaled to [-1, 1].
 */
final class PixelCnnModel extends DensityModel implements Autoregressive {
    private final PixelCnnNet net;
    private final boolean binary;
    private final int levels;
    private final int height;
    private final int width;

    PixelCnnModel(PixelCnnFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        super(PixelCnnFamily.NAME, config, data, ModelSpace.discrete(data, PixelCnnFamily.NAME), dtype);
        long[] s = data.sampleShape();
        if (s.length != 3 || s[0] != 1) {
            throw new IllegalArgumentException("pixelcnn models single-channel images [1, h, w]; dataset '" + data.name()
                    + "' has shape " + Arrays.toString(s));
        }
        this.binary = DataInfo.BINARY.equals(data.kind());
        this.levels = binary ? 2 : space.levels();
        this.height = (int) s[1];
        this.width = (int) s[2];
        this.net = new PixelCnnNet(config.channels(), config.blocks(), config.kernel(), config.headChannels(),
                binary ? 1 : levels, dtype, rng);
        network(net);
    }

    PixelCnnNet net() {
        return net;
    }

    /** Levels [n, ...] to the network's input [n, 1, h, w] in [-1, 1]. */
    private NdArray input(NdArray levelsArray, int n, int h, int w) {
        return F.add(F.mul(F.reshape(levelsArray, n, 1, h, w), 2.0 / (levels - 1)), -1.0);
    }

    @Override
    protected NdArray logProb(NdArray y, Rng rng) {
        int n = y.dim(0);
        NdArray logits = net.forward(input(y, n, height, width));
        if (binary) {
            return Losses.bernoulliLogLik(F.reshape(logits, n, dimension), y);
        }
        int[][] values = new int[n][dimension];
        for (int r = 0; r < n; r++) {
            for (int p = 0; p < dimension; p++) {
                values[r][p] = (int) y.getFlat(r * dimension + p);
            }
        }
        return Losses.categoricalLogLik(F.reshape(logits, n, levels, dimension), values);
    }

    /**
     * Scoring chunks of at most 2^24 logits (64 MiB in float32; their log-softmax as much again): 83 images of 8-bit
     * 28 x 28 at once, where the default 2048 rows would need 1.6 GB for the logits alone.
     */
    @Override
    protected int scoreRows() {
        long perRow = (long) (binary ? 1 : levels) * dimension;
        return (int) Math.max(1, Math.min(SCORE_ROWS, (1L << 24) / perRow));
    }

    @Override
    protected NdArray sampleModel(int n, Rng rng) {
        try (PixelGeneration g = new PixelGeneration(n)) {
            for (int i = 0; i < dimension; i++) {
                g.next(rng);
            }
            return NdArray.wrap(g.canvas.clone(), n, dimension).to(dtype);
        }
    }

    @Override
    public int positions() {
        return dimension;
    }

    @Override
    public Generation generate(int n, Rng rng) {
        return new PixelGeneration(n);
    }

    /**
     * Pixels in raster order, all samples together. Output (i, j) depends only on rows i - R .. i and columns
     * j - R .. j + R (R the receptive field's radius), and masked convolutions never look down or (in the current
     * row) right, so the network runs on that window of the canvas alone: outside it the values it would compute
     * differ (the window's edges are zero-padded), but none of those reach output (i, j). On 28 x 28 images with
     * the default net that is 9 x 17 pixels instead of 784.
     */
    final class PixelGeneration implements Generation {
        private final int n;
        final double[] canvas;
        private int drawn;

        PixelGeneration(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("sample count must be >= 0, was " + n);
            }
            this.n = n;
            this.canvas = new double[n * dimension];
        }

        @Override
        public int drawn() {
            return drawn;
        }

        @Override
        public void next(Rng rng) {
            if (drawn >= dimension) {
                throw new IllegalStateException("all " + dimension + " pixels are drawn");
            }
            int i = drawn / width;
            int j = drawn % width;
            double[] logits = conditionals(i, j);
            int k = binary ? 1 : levels;
            for (int r = 0; r < n; r++) {
                double v;
                if (binary) {
                    v = rng.nextDouble() < 1 / (1 + Math.exp(-logits[r])) ? 1 : 0;
                } else {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < k; c++) {
                        max = Math.max(max, logits[r * k + c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        sum += Math.exp(logits[r * k + c] - max);
                    }
                    double u = rng.nextDouble() * sum;
                    v = k - 1;
                    for (int c = 0; c < k; c++) {
                        u -= Math.exp(logits[r * k + c] - max);
                        if (u < 0) {
                            v = c;
                            break;
                        }
                    }
                }
                canvas[r * dimension + drawn] = v;
            }
            drawn++;
        }

        /** The logits of pixel (i, j) for every sample, [n * k], from the network on the window around it. */
        double[] conditionals(int i, int j) {
            int rad = net.radius();
            int r0 = Math.max(0, i - rad);
            int c0 = Math.max(0, j - rad);
            int c1 = Math.min(width - 1, j + rad);
            int h = i - r0 + 1;
            int w = c1 - c0 + 1;
            int k = binary ? 1 : levels;
            double[] out = new double[n * k];
            net.train(false);
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray window = NdArray.zeros(dtype, n, h * w);
                for (int r = 0; r < n; r++) {
                    for (int a = 0; a < h; a++) {
                        for (int b = 0; b < w; b++) {
                            window.setFlat(r * h * w + a * w + b, canvas[r * dimension + (r0 + a) * width + c0 + b]);
                        }
                    }
                }
                NdArray logits = net.forward(input(window, n, h, w));
                int at = (i - r0) * w + (j - c0);
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < k; c++) {
                        out[r * k + c] = logits.getFlat((r * k + c) * h * w + at);
                    }
                }
            }
            return out;
        }

        @Override
        public Tensor samples(BufferAllocator allocator) {
            if (drawn < dimension) {
                throw new IllegalStateException(drawn + " of " + dimension + " pixels are drawn");
            }
            try (Scope s = Scope.open()) {
                return F.reshape(NdArray.wrap(canvas.clone(), n, dimension).to(DType.F32), shape(n)).toTensor(allocator);
            }
        }

        @Override
        public void close() {
        }
    }
}
