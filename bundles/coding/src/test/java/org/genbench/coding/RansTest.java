package org.genbench.coding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

class RansTest {
    /** Random distributions over k levels, a symbol drawn from each: decoded back exactly, at the ideal size. */
    @Test
    void roundTripsAtTheSizeTheFrequenciesPromise() {
        Rng rng = new Rng(1);
        for (int k : new int[] {2, 3, 17, 256}) {
            int n = 20_000;
            int[][] freqs = new int[n][];
            int[] symbols = new int[n];
            double ideal = 0;
            for (int i = 0; i < n; i++) {
                double[] logp = new double[k];
                for (int v = 0; v < k; v++) {
                    logp[v] = 4 * rng.nextGaussian(); // peaked and flat distributions alike
                }
                freqs[i] = new int[k];
                Frequencies.quantize(logp, 0, k, freqs[i]);
                // draw the symbol from the quantized distribution
                int u = rng.nextInt(Frequencies.TOTAL);
                int v = 0;
                for (int acc = freqs[i][0]; acc <= u; acc += freqs[i][++v]) {
                }
                symbols[i] = v;
                ideal -= Math.log((double) freqs[i][v] / Frequencies.TOTAL) / Math.log(2);
            }
            Rans.Encoder enc = new Rans.Encoder();
            for (int i = n - 1; i >= 0; i--) {
                enc.push(Frequencies.start(freqs[i], symbols[i]), freqs[i][symbols[i]]);
            }
            byte[] stream = enc.finish();
            Rans.Decoder dec = new Rans.Decoder(stream);
            int[] decoded = new int[n];
            int[] cum = new int[k + 1];
            for (int i = 0; i < n; i++) {
                Rans.cumulative(freqs[i], k, cum);
                int v = Rans.find(cum, dec.slot());
                dec.advance(cum[v], freqs[i][v]);
                decoded[i] = v;
            }
            dec.finish();
            assertArrayEquals(symbols, decoded, "k = " + k);
            // the state flush (8 bytes) and the last partial word (< 4 bytes) above the information content
            assertTrue(stream.length * 8 >= ideal - 64, "k = " + k + ": " + stream.length * 8 + " < " + ideal);
            assertTrue(stream.length * 8 <= ideal + 96 + 1e-6 * ideal, "k = " + k + ": " + stream.length * 8
                    + " bits for " + ideal);
        }
    }

    @Test
    void quantizedFrequenciesSumToTheTotalAndKeepEveryLevelCodable() {
        Rng rng = new Rng(2);
        for (int trial = 0; trial < 200; trial++) {
            int k = 2 + rng.nextInt(300);
            double[] logp = new double[k];
            for (int v = 0; v < k; v++) {
                logp[v] = trial % 3 == 0 ? -1e6 * rng.nextDouble() : 10 * rng.nextGaussian(); // extreme and ordinary
            }
            int[] f = new int[k];
            Frequencies.quantize(logp, 0, k, f);
            long sum = 0;
            for (int v = 0; v < k; v++) {
                assertTrue(f[v] >= 1, "level " + v);
                sum += f[v];
            }
            assertEquals(Frequencies.TOTAL, sum);
        }
        // an ordinary distribution costs what its probabilities say, to a few parts per million of a bit
        double[] logp = {Math.log(0.7), Math.log(0.2), Math.log(0.1)};
        int[] f = new int[3];
        Frequencies.quantize(logp, 0, 3, f);
        for (int v = 0; v < 3; v++) {
            assertEquals(-logp[v] / Math.log(2), -Math.log((double) f[v] / Frequencies.TOTAL) / Math.log(2), 1e-5);
        }
    }

    @Test
    void aStreamDecodedWithOtherProbabilitiesIsCaught() {
        int[] f = new int[2];
        Frequencies.quantize(new double[] {Math.log(0.9), Math.log(0.1)}, 0, 2, f);
        Rans.Encoder enc = new Rans.Encoder();
        Rng rng = new Rng(3);
        for (int i = 0; i < 5000; i++) {
            int v = rng.nextDouble() < 0.1 ? 1 : 0;
            enc.push(Frequencies.start(f, v), f[v]);
        }
        Rans.Decoder dec = new Rans.Decoder(enc.finish());
        int[] g = new int[2];
        Frequencies.quantize(new double[] {Math.log(0.5), Math.log(0.5)}, 0, 2, g);
        int[] cum = Rans.cumulative(g, 2, new int[3]);
        assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 5000; i++) {
                int v = Rans.find(cum, dec.slot());
                dec.advance(cum[v], g[v]);
            }
            dec.finish();
        });
    }
}
