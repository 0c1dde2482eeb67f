package org.genbench.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One column of a run's Arrow IPC file ({@code samples/<sampler>.arrow}, column {@code x}) read into the notebook's
 * heap: the shape from the field's {@code genbench.shape} metadata (rows first) and the values row-major as
 * doubles. Read with Arrow's own Java reader, the same format any other Arrow implementation reads.
 */
public final class Samples {
    static final String SHAPE_KEY = "genbench.shape";

    private final String name;
    private final long[] shape;
    private final double[] values;

    Samples(String name, long[] shape, double[] values) {
        this.name = name;
        this.shape = shape;
        this.values = values;
    }

    /** Reads column {@code column} of an Arrow IPC file (all record batches). */
    public static Samples read(Path file, String column) {
        // The unsafe allocation manager named explicitly: automatic selection scans the class path (see ARCHITECTURE).
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            Field field = root.getSchema().findField(column);
            List<double[]> parts = new ArrayList<>();
            long rows = 0;
            int width = 1;
            while (reader.loadNextBatch()) {
                FieldVector v = root.getVector(column);
                FieldVector data = v;
                if (v instanceof FixedSizeListVector list) {
                    width = list.getListSize();
                    data = (FieldVector) list.getDataVector();
                }
                int n = root.getRowCount() * width;
                double[] part = new double[n];
                for (int i = 0; i < n; i++) {
                    if (data.isNull(i)) {
                        throw new IllegalStateException(file + ": column '" + column + "' has a null at " + i);
                    }
                    part[i] = value(data, i);
                }
                parts.add(part);
                rows += root.getRowCount();
            }
            double[] all = new double[Math.toIntExact(rows * width)];
            int at = 0;
            for (double[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            String meta = field.getMetadata() == null ? null : field.getMetadata().get(SHAPE_KEY);
            long[] shape = meta == null ? (width == 1 ? new long[] {rows} : new long[] {rows, width})
                    : Arrays.stream(meta.replaceAll("[\\[\\] ]", "").split(",")).mapToLong(Long::parseLong).toArray();
            shape[0] = rows;
            String sampler = file.getFileName().toString().replaceFirst("\\.arrow$", "");
            return new Samples(sampler, shape, all);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NullPointerException e) {
            throw new IllegalArgumentException(file + " has no column '" + column + "'", e);
        }
    }

    private static double value(FieldVector v, int i) {
        if (v instanceof FloatingPointVector f) {
            return f.getValueAsDouble(i);
        }
        if (v instanceof BaseIntVector b) {
            return b.getValueAsLong(i);
        }
        throw new IllegalArgumentException("unsupported Arrow column type " + v.getField().getType());
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rows() {
        return (int) shape[0];
    }

    /** Elements per row (the product of the shape after the first axis). */
    public int width() {
        return rows() == 0 ? 0 : values.length / rows();
    }

    public double get(int row, int col) {
        return values[row * width() + col];
    }

    /** Every value, row-major. */
    public double[] values() {
        return values.clone();
    }

    public double[] row(int i) {
        return Arrays.copyOfRange(values, i * width(), (i + 1) * width());
    }

    /** Column j of every row, e.g. the x coordinates of 2-D samples. */
    public double[] column(int j) {
        double[] out = new double[rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i, j);
        }
        return out;
    }

    /** The samples as a table with columns x0, x1, ...; pass {@code head} to keep the display short. */
    public Table table() {
        List<String> cols = new ArrayList<>();
        for (int j = 0; j < width(); j++) {
            cols.add("x" + j);
        }
        List<List<Object>> rowsOut = new ArrayList<>();
        for (int i = 0; i < rows(); i++) {
            List<Object> r = new ArrayList<>();
            for (double d : row(i)) {
                r.add(d);
            }
            rowsOut.add(r);
        }
        return new Table(cols, rowsOut);
    }

    /** Per-dimension mean and standard deviation. */
    public Table describe() {
        Table.Builder b = Table.builder("dim", "mean", "std", "min", "max");
        for (int j = 0; j < width(); j++) {
            double[] c = column(j);
            double mean = Arrays.stream(c).average().orElse(Double.NaN);
            double var = Arrays.stream(c).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, c.length - 1);
            b.row("x" + j, mean, Math.sqrt(var), Arrays.stream(c).min().orElse(Double.NaN),
                    Arrays.stream(c).max().orElse(Double.NaN));
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "Samples '" + name + "' " + Arrays.toString(shape);
    }
}
