package org.genbench.bench.handoff.source.internal;

import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * The producer of the hand-off benchmark: one float32 tensor {@code [bytes / 1024, 256]} allocated in Arrow memory
 * and written to end to end (every page is real, as with data just read from disk), then stamped: the first 8 bytes
 * hold {@link System#nanoTime()} at the moment it is ready, the last 8 its complement. The consumer in another
 * bundle reads both back through its own view of the memory: the stamp gives the hand-off time, the complement proves
 * it saw the producer's bytes rather than a copy made before the stamp.
 */
@Component(service = DatasetProvider.class)
public final class HandoffSource implements DatasetProvider<HandoffSource.Config> {
    static final int ROW_FLOATS = 256;
    static final long ROW_BYTES = ROW_FLOATS * 4L;

    /** @param bytes the tensor's size, a multiple of 1024 in 1 KiB..4 GiB (default 1 MiB) */
    public record Config(Long bytes) {
        public Config {
            bytes = bytes == null ? 1L << 20 : bytes;
            if (bytes < ROW_BYTES || bytes > 4L << 30 || bytes % ROW_BYTES != 0) {
                throw new IllegalArgumentException("bytes must be a multiple of 1024 in 1024..4294967296, was " + bytes);
            }
        }
    }

    @Override
    public String name() {
        return "handoff-source";
    }

    @Override
    public String description() {
        return "Benchmark: one stamped float32 tensor of a given size (the hand-off benchmark's producer)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Dataset open(Config config, RunContext context) {
        long rows = config.bytes() / ROW_BYTES;
        Tensor x = Tensor.allocate(context.allocator(), DType.FLOAT32, rows, ROW_FLOATS);
        try {
            var buf = x.buffer();
            for (long off = 0; off < config.bytes(); off += 4096) {
                buf.setFloat(off, (float) (off >>> 12));
            }
            long stamp = System.nanoTime();
            buf.setLong(0, stamp);
            buf.setLong(config.bytes() - 8, ~stamp);
            DataInfo info = new DataInfo("handoff-" + config.bytes(), new long[] {ROW_FLOATS}, DataInfo.CONTINUOUS, 0,
                    "synthetic:" + config.bytes());
            return new InMemoryDataset(info, Map.of("train", Batch.of(x)));
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }
}
