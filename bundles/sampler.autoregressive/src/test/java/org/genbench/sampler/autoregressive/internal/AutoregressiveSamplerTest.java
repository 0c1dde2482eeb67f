package org.genbench.sampler.autoregressive.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Autoregressive;
import org.genbench.api.DataInfo;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AutoregressiveSamplerTest {
    BufferAllocator allocator;
    final AutoregressiveSampler sampler = new AutoregressiveSampler();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** A binary Markov chain of length 4: P(x1 = 1) = 0.3, P(x_i = 1 | x_{i-1}) = 0.8 after a 1, 0.2 after a 0. */
    static final class Chain implements Model, Autoregressive {
        int generations;

        public DataInfo data() {
            return new DataInfo("chain", new long[] {4}, DataInfo.BINARY, 0, null);
        }

        public long parameterCount() {
            return 0;
        }

        public int positions() {
            return 4;
        }

        static double probability(int[] x) {
            double p = x[0] == 1 ? 0.3 : 0.7;
            for (int i = 1; i < 4; i++) {
                double one = x[i - 1] == 1 ? 0.8 : 0.2;
                p *= x[i] == 1 ? one : 1 - one;
            }
            return p;
        }

        public Generation generate(int n, Rng rng) {
            generations++;
            double[] canvas = new double[n * 4];
            return new Generation() {
                int drawn;

                public int drawn() {
                    return drawn;
                }

                public void next(Rng r) {
                    for (int s = 0; s < n; s++) {
                        double one = drawn == 0 ? 0.3 : canvas[s * 4 + drawn - 1] == 1 ? 0.8 : 0.2;
                        canvas[s * 4 + drawn] = r.nextDouble() < one ? 1 : 0;
                    }
                    drawn++;
                }

                public Tensor samples(org.apache.arrow.memory.BufferAllocator a) {
                    return Tensor.ofDoubles(a, canvas, n, 4);
                }

                public void close() {
                }
            };
        }
    }

    @Test
    void samplesFollowTheModelsConditionalsInBatches() {
        Chain chain = new Chain();
        TestRunContext context = new TestRunContext(1, allocator);
        try (SampleResult r = sampler.sample(chain, new AutoregressiveSampler.Config(30000, 7000), context)) {
            assertEquals(5, chain.generations, "30000 samples in batches of 7000");
            assertArrayEquals(new long[] {30000, 4}, r.samples().shape());
            double[] freq = new double[16];
            double[] v = r.samples().toDoubleArray();
            for (int s = 0; s < 30000; s++) {
                int idx = 0;
                for (int i = 0; i < 4; i++) {
                    idx = 2 * idx + (int) v[4 * s + i];
                }
                freq[idx] += 1.0 / 30000;
            }
            double tv = 0;
            for (int idx = 0; idx < 16; idx++) {
                int[] x = {(idx >> 3) & 1, (idx >> 2) & 1, (idx >> 1) & 1, idx & 1};
                tv += 0.5 * Math.abs(freq[idx] - Chain.probability(x));
            }
            assertTrue(tv < 0.015, "total variation " + tv);
            assertEquals(30000L * 4, context.lastDone);
            assertEquals(30000L * 4, context.lastTotal);
            assertTrue(r.diagnostics().stream().anyMatch(m -> m.name().equals("positions_per_second") && m.value() > 0));
        }
        try (SampleResult a = sampler.sample(chain, new AutoregressiveSampler.Config(50, 20), new TestRunContext(2, allocator));
                SampleResult b = sampler.sample(chain, new AutoregressiveSampler.Config(50, 20), new TestRunContext(2, allocator))) {
            assertArrayEquals(a.samples().toDoubleArray(), b.samples().toDoubleArray(), "same seed, same samples");
        }
    }

    @Test
    void cancellationStopsBetweenPositionsAndSettingsAreChecked() {
        TestRunContext context = new TestRunContext(3, allocator);
        context.cancelled = true;
        assertThrows(CancellationException.class, () -> sampler.sample(new Chain(), new AutoregressiveSampler.Config(10, 5),
                context));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AutoregressiveSampler.Config(0, null))
                .getMessage().contains("samples must be in 1..10000000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AutoregressiveSampler.Config(null, 0))
                .getMessage().contains("batchSize must be in 1..100000"));
        assertEquals("Autoregressive", sampler.requires().describe());
    }
}
