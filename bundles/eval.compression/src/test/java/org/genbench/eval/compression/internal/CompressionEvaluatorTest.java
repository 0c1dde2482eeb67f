package org.genbench.eval.compression.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binary 8x8 images from a raster-order Markov chain, and the chain itself as the model: coded at -log2 p, below
 * gzip and PNG, decoded exactly. A model that breaks the coder's contract (its step-by-step decoder disagrees with its
 * teacher-forced conditionals) is caught by the round trip.
 */
class CompressionEvaluatorTest {
    static final int D = 64;
    static final DataInfo INFO = new DataInfo("chains", new long[] {1, 8, 8}, DataInfo.BINARY, 0, "x");
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

    /** p(x_0 = 1) = 0.3; p(x_t = x_{t-1}) = 0.9; {@code lying}: its decoder says 0.8 instead. */
    record Chain(boolean lying) implements Model, DiscreteConditionals {
        @Override
        public DataInfo data() {
            return INFO;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public int levels() {
            return 2;
        }

        @Override
        public int[] order() {
            int[] o = new int[D];
            for (int i = 0; i < D; i++) {
                o[i] = i;
            }
            return o;
        }

        double p1(Tensor x, long row, int t, boolean decoding) {
            if (t == 0) {
                return 0.3;
            }
            double stay = lying && decoding ? 0.8 : 0.9;
            return x.getDouble(row * D + t - 1) == 1 ? stay : 1 - stay;
        }

        @Override
        public Tensor conditionalLogProbabilities(Tensor x) {
            return conditionals(x, false);
        }

        Tensor conditionals(Tensor x, boolean decoding) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows(), D, 2);
            for (long e = 0; e < x.rows(); e++) {
                for (int t = 0; t < D; t++) {
                    double p = p1(x, e, t, decoding);
                    out.setDouble((e * D + t) * 2, Math.log1p(-p));
                    out.setDouble((e * D + t) * 2 + 1, Math.log(p));
                }
            }
            return out;
        }

        @Override
        public Decoder decoder(int n, long[] shape, BufferAllocator allocator) {
            if (!lying) {
                return DiscreteConditionals.super.decoder(n, shape, allocator);
            }
            Chain self = this;
            // the default decoder's canvas logic, but through the lying conditionals
            DiscreteConditionals liar = new DiscreteConditionals() {
                public int levels() {
                    return 2;
                }

                public int[] order() {
                    return self.order();
                }

                public Tensor conditionalLogProbabilities(Tensor x) {
                    return self.conditionals(x, true);
                }
            };
            return liar.decoder(n, shape, allocator);
        }
    }

    private Tensor draw(int n, Rng rng) {
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 1, 8, 8);
        for (int e = 0; e < n; e++) {
            int prev = rng.nextDouble() < 0.3 ? 1 : 0;
            x.setDouble((long) e * D, prev);
            for (int t = 1; t < D; t++) {
                prev = rng.nextDouble() < 0.9 ? prev : 1 - prev;
                x.setDouble((long) e * D + t, prev);
            }
        }
        return x;
    }

    private Map<String, Metric> run(Chain model) {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(draw(10, new Rng(1))));
        splits.put("test", Batch.of(draw(500, new Rng(2))));
        TestRunContext context = new TestRunContext(1, allocator) {
            @Override
            public Path outputDirectory() {
                return dir;
            }
        };
        try (InMemoryDataset data = new InMemoryDataset(INFO, splits)) {
            List<Metric> m = new CompressionEvaluator().evaluate(model, data, Map.of(),
                    new CompressionEvaluator.Config(400, null, 50), context);
            return m.stream().collect(Collectors.toMap(Metric::name, x -> x));
        }
    }

    @Test
    void theTrueModelCodesAtMinusLog2PBelowGzipAndPngAndRoundTrips() throws Exception {
        Map<String, Metric> m = run(new Chain(false));
        assertEquals(1.0, m.get("round_trip").value());
        // the model's -log2 p, recomputed here from the chain's probabilities for the 400 images coded
        double bits = 0;
        try (Tensor x = draw(500, new Rng(2))) {
            for (int e = 0; e < 400; e++) {
                bits -= Math.log(x.getDouble((long) e * D) == 1 ? 0.3 : 0.7) / Math.log(2);
                for (int t = 1; t < D; t++) {
                    bits -= Math.log(x.getDouble((long) e * D + t) == x.getDouble((long) e * D + t - 1) ? 0.9 : 0.1)
                            / Math.log(2);
                }
            }
        }
        assertEquals(bits / (400.0 * D), m.get("model_bits_per_dim").value(), 1e-12);
        assertTrue(Math.abs(m.get("overhead_percent").value()) < 1, m.get("overhead_percent").toString());
        double coded = m.get("coded_bits_per_dim").value();
        assertTrue(coded < m.get("gzip_bits_per_dim").value(), coded + " vs gzip " + m.get("gzip_bits_per_dim"));
        assertTrue(coded < m.get("png_bits_per_dim").value(), coded + " vs png " + m.get("png_bits_per_dim"));
        assertEquals(1.0, m.get("raw_bits_per_dim").value());
        Map<String, Object> p = m.get("coded_bits_per_dim").protocol();
        assertEquals(Files.size(dir.resolve("test.gbz")), ((Number) p.get("file_bytes")).longValue());
        assertEquals(((Number) p.get("file_bytes")).longValue(),
                ((Number) p.get("header_bytes")).longValue() + ((Number) p.get("stream_bytes")).longValue());
    }

    @Test
    void aModelWhoseDecoderDisagreesWithItsConditionalsFailsTheRoundTrip() {
        Map<String, Metric> m = run(new Chain(true));
        assertEquals(0.0, m.get("round_trip").value());
    }
}
