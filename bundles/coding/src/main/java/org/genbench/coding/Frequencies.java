package org.genbench.coding;

/**
 * A model's conditional distribution over {@code k} levels as integer frequencies that sum to
 * {@code 2^}{@link #PRECISION}, every one at least 1 (so every value stays codable): {@code f_v = 1 + floor(p_v (M -
 * k))} with p normalized, the remainder to the most probable level. Deterministic from the log-probabilities alone
 * ({@link StrictMath#exp}), so an encoder and a decoder on different machines that see the same doubles build the
 * same table. Coding a value then costs {@code -log2(f_v / M)} bits, within about {@code k / M} of {@code -log2 p_v}
 * for ordinary p.
 */
public final class Frequencies {
    /** log2 of the total M. */
    public static final int PRECISION = 24;
    public static final int TOTAL = 1 << PRECISION;

    private Frequencies() {
    }

    /**
     * Frequencies of the {@code k} log-probabilities {@code logp[offset..offset+k)} into {@code freq[0..k)}.
     * Fails on a log-probability that is NaN or +infinity (a broken model), naming it.
     */
    public static void quantize(double[] logp, int offset, int k, int[] freq) {
        if (k < 2 || k > TOTAL / 2) {
            throw new IllegalArgumentException("levels must be in 2.." + TOTAL / 2 + ", was " + k);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < k; v++) {
            double lp = logp[offset + v];
            if (Double.isNaN(lp) || lp == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("log-probability " + lp + " of level " + v);
            }
            max = Math.max(max, lp);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every level has probability 0");
        }
        double sum = 0;
        double[] p = new double[k];
        for (int v = 0; v < k; v++) {
            p[v] = StrictMath.exp(logp[offset + v] - max);
            sum += p[v];
        }
        int spare = TOTAL - k;
        long total = 0;
        int best = 0;
        for (int v = 0; v < k; v++) {
            double share = p[v] / sum;
            int f = 1 + (int) Math.min(spare, Math.floor(share * spare));
            freq[v] = f;
            total += f;
            if (p[v] > p[best]) {
                best = v;
            }
        }
        // what flooring left over (or, if p / sum rounded above 1 in total, the excess) goes to the likeliest level
        long rest = TOTAL - total;
        if (freq[best] + rest < 1) {
            throw new IllegalStateException("cannot quantize: frequencies over-full by " + -rest);
        }
        freq[best] += (int) rest;
    }

    /** The cumulative start of level {@code v}: the sum of the frequencies before it. */
    public static int start(int[] freq, int v) {
        int s = 0;
        for (int i = 0; i < v; i++) {
            s += freq[i];
        }
        return s;
    }
}
