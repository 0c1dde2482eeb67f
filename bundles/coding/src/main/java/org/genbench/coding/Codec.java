package org.genbench.coding;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * Whole data sets through a model's conditionals and rANS, into one stream. Examples go in batches of
 * {@code batch}; within a batch the decoder learns step i of every example before step i + 1 (the model's order),
 * so it asks the model once per step for the whole batch ({@link DiscreteConditionals#decoder}). The encoder pushes
 * the same symbols in exactly the reverse order, batches last to first, with frequencies from one teacher-forced
 * pass per batch ({@link DiscreteConditionals#conditionalLogProbabilities}); the model's contract makes both see the
 * same doubles, hence the same frequency tables.
 */
public final class Codec {
    private Codec() {
    }

    /** A coded data set: the stream, and what it should cost. */
    public record Encoded(byte[] stream, long examples, long dimensions, double modelBits, double quantizedBits,
                          String symbolsSha256) {
        /** The stream's size in bits. */
        public long bits() {
            return 8L * stream.length;
        }
    }

    /** A batch size that keeps one batch's conditionals (float64 {@code [batch, D, levels]}) near 32 MB. */
    public static int defaultBatch(long dimensions, int levels) {
        long perExample = dimensions * levels * 8;
        return (int) Math.max(1, Math.min(256, (32L << 20) / Math.max(1, perExample)));
    }

    /** The values of x as symbols 0..levels-1, checked: a value that is not one fails naming its index. */
    public static int[] symbols(Tensor x, int levels) {
        int n = Math.toIntExact(x.size());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double v = x.getDouble(i);
            if (!(v >= 0 && v <= levels - 1 && v == Math.rint(v))) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " is not one of the model's "
                        + levels + " levels (integers 0.." + (levels - 1) + "); an exact-likelihood coder needs"
                        + " discrete data, e.g. binarized images");
            }
            out[i] = (int) v;
        }
        return out;
    }

    public static Encoded encode(DiscreteConditionals model, Tensor x, int batch) {
        int levels = model.levels();
        long n = x.rows();
        int d = Math.toIntExact(x.rowSize());
        int[] order = model.order();
        if (order.length != d) {
            throw new IllegalArgumentException("the model orders " + order.length + " positions, the data has " + d);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        int[] all = symbols(x, levels);
        Rans.Encoder encoder = new Rans.Encoder();
        int[] freq = new int[levels];
        double modelBits = 0;
        double quantizedBits = 0;
        int batches = (int) ((n + batch - 1) / batch);
        for (int b = batches - 1; b >= 0; b--) {
            int start = b * batch;
            int len = (int) Math.min(batch, n - start);
            double[] lp;
            try (Tensor part = x.slice(start, len); Tensor t = model.conditionalLogProbabilities(part)) {
                if (t.size() != (long) len * d * levels) {
                    throw new IllegalStateException("the model's conditionals are " + Arrays.toString(t.shape())
                            + ", expected [" + len + ", " + d + ", " + levels + "]");
                }
                lp = doubles(t);
            }
            for (int step = d - 1; step >= 0; step--) {
                for (int e = len - 1; e >= 0; e--) {
                    int offset = (e * d + step) * levels;
                    int v = all[(start + e) * d + order[step]];
                    Frequencies.quantize(lp, offset, levels, freq);
                    encoder.push(Frequencies.start(freq, v), freq[v]);
                    modelBits -= lp[offset + v] / Math.log(2);
                    quantizedBits -= Math.log((double) freq[v] / Frequencies.TOTAL) / Math.log(2);
                }
            }
        }
        return new Encoded(encoder.finish(), n, d, modelBits, quantizedBits, sha256(all));
    }

    /**
     * Decodes {@code examples} examples of {@code shape} from {@code stream} as float32 (the symbols' values), in
     * {@code allocator}; fails if the stream does not end where the encoder began.
     */
    public static Tensor decode(DiscreteConditionals model, byte[] stream, long examples, long[] shape, int batch,
                                BufferAllocator allocator) {
        int levels = model.levels();
        int d = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        int[] order = model.order();
        long[] full = new long[shape.length + 1];
        full[0] = examples;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor out = Tensor.allocate(allocator, DType.FLOAT32, full);
        try {
            Rans.Decoder decoder = new Rans.Decoder(stream);
            int[] freq = new int[levels];
            int[] cumulative = new int[levels + 1];
            for (long start = 0; start < examples; start += batch) {
                int len = (int) Math.min(batch, examples - start);
                try (DiscreteConditionals.Decoder steps = model.decoder(len, shape, allocator)) {
                    int[] values = new int[len];
                    for (int step = 0; step < d; step++) {
                        double[] lp = steps.next();
                        for (int e = 0; e < len; e++) {
                            Frequencies.quantize(lp, e * levels, levels, freq);
                            Rans.cumulative(freq, levels, cumulative);
                            int v = Rans.find(cumulative, decoder.slot());
                            decoder.advance(cumulative[v], freq[v]);
                            values[e] = v;
                            out.setDouble((start + e) * d + order[step], v);
                        }
                        steps.set(values);
                    }
                }
            }
            decoder.finish();
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** sha256 of the symbols, 4 bytes each, big-endian. */
    static String sha256(int[] symbols) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[4096];
            int k = 0;
            for (int s : symbols) {
                if (k + 4 > buf.length) {
                    digest.update(buf, 0, k);
                    k = 0;
                }
                buf[k++] = (byte) (s >>> 24);
                buf[k++] = (byte) (s >>> 16);
                buf[k++] = (byte) (s >>> 8);
                buf[k++] = (byte) s;
            }
            digest.update(buf, 0, k);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** sha256 of a tensor's values as symbols (see {@link #symbols}). */
    public static String sha256(Tensor x, int levels) {
        return sha256(symbols(x, levels));
    }

    private static double[] doubles(Tensor t) {
        double[] out = new double[Math.toIntExact(t.size())];
        if (t.dtype() == DType.FLOAT64 && out.length > 0) {
            t.buffer().nioBuffer(0, out.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getDouble(i);
            }
        }
        return out;
    }
}
