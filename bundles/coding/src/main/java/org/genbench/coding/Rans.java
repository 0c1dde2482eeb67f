package org.genbench.coding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Range asymmetric numeral systems (Duda 2013; as Giesen's rans64): a 64-bit state in [L, 2^32 L) with L = 2^31,
 * renormalized 32 bits at a time, frequencies of {@link Frequencies#PRECISION} bits. The encoder takes symbols in
 * reverse order and the decoder returns them forwards; the stream is the final state (8 bytes) and the emitted words
 * (4 bytes each), little-endian, so a stream of b bits of information takes about b/8 + 12 bytes.
 */
public final class Rans {
    static final long L = 1L << 31;
    static final int PRECISION = Frequencies.PRECISION;
    static final int MASK = (1 << PRECISION) - 1;

    private Rans() {
    }

    /** Encodes symbols given last-first as (start, frequency) pairs. */
    public static final class Encoder {
        private long x = L;
        private int[] words = new int[1024];
        private int count;

        /** Pushes the symbol whose interval is {@code [start, start + freq)} of {@link Frequencies#TOTAL}. */
        public void push(int start, int freq) {
            if (freq < 1 || start < 0 || (long) start + freq > Frequencies.TOTAL) {
                throw new IllegalArgumentException("interval [" + start + ", " + start + " + " + freq + ") outside 0.."
                        + Frequencies.TOTAL);
            }
            long max = ((L >>> PRECISION) << 32) * freq;
            while (Long.compareUnsigned(x, max) >= 0) {
                if (count == words.length) {
                    words = java.util.Arrays.copyOf(words, 2 * count);
                }
                words[count++] = (int) x;
                x >>>= 32;
            }
            x = ((x / freq) << PRECISION) + (x % freq) + start;
        }

        /** The stream: the state, then the words in the order the decoder reads them. */
        public byte[] finish() {
            ByteBuffer out = ByteBuffer.allocate(8 + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(x);
            for (int i = count - 1; i >= 0; i--) {
                out.putInt(words[i]);
            }
            return out.array();
        }
    }

    /** Decodes a stream made by {@link Encoder}. */
    public static final class Decoder {
        private final ByteBuffer in;
        private long x;

        public Decoder(byte[] stream) {
            if (stream.length < 8 || (stream.length - 8) % 4 != 0) {
                throw new IllegalArgumentException("an rANS stream has 8 + 4k bytes, this one " + stream.length);
            }
            in = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
            x = in.getLong();
        }

        /** The slot in {@code 0..TOTAL-1} that names the next symbol: the one whose interval holds it. */
        public int slot() {
            return (int) (x & MASK);
        }

        /** Consumes the symbol with interval {@code [start, start + freq)}, which must hold {@link #slot()}. */
        public void advance(int start, int freq) {
            x = freq * (x >>> PRECISION) + (x & MASK) - start;
            while (x < L) {
                if (!in.hasRemaining()) {
                    throw new IllegalStateException("the stream ended early: corrupt, or decoded with other"
                            + " probabilities than it was encoded with");
                }
                x = (x << 32) | (in.getInt() & 0xffffffffL);
            }
        }

        /** Checks that the whole stream was used and the state is back where the encoder started. */
        public void finish() {
            if (in.hasRemaining() || x != L) {
                throw new IllegalStateException("the stream did not end where the encoder began (" + in.remaining()
                        + " bytes left): corrupt, or decoded with other probabilities than it was encoded with");
            }
        }
    }

    /** The symbol whose interval holds {@code slot} (binary search over the cumulative frequencies). */
    public static int find(int[] cumulative, int slot) {
        int lo = 0;
        int hi = cumulative.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (cumulative[mid] <= slot) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Cumulative starts {@code [k + 1]} of frequencies {@code [k]}, the last being the total. */
    public static int[] cumulative(int[] freq, int k, int[] out) {
        out[0] = 0;
        for (int v = 0; v < k; v++) {
            out[v + 1] = out[v] + freq[v];
        }
        return out;
    }
}
