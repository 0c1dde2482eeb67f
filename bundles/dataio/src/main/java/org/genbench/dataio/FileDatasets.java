package org.genbench.dataio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.InMemoryDataset;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * Assembles what a file dataset read into a {@link Dataset} with {@code train} and {@code test} splits, checking
 * on the way what every format must satisfy: values finite (and 0/1 for binary data, non-negative integers for
 * discrete), as many labels as rows, train and test of one shape. Whole or absent: it takes ownership of the
 * tensors it is given and, when anything is wrong, closes every one of them and everything it allocated before it
 * throws, so a failed open leaves no Arrow memory behind.
 */
public final class FileDatasets {
    public static final List<String> DTYPES = List.of("float32", "float64");
    public static final List<String> KINDS = List.of(DataInfo.CONTINUOUS, DataInfo.BINARY, DataInfo.DISCRETE);

    private FileDatasets() {
    }

    /**
     * What was read from one input: {@code x} with one row per example (any numeric dtype, any rank >= 1) and the
     * labels ({@code INT32 [n]}) or null. {@code source} names the input in messages.
     */
    public record Part(Tensor x, Tensor label, String source) {
    }

    /**
     * How to serve it.
     *
     * @param name        the dataset's name in provenance and pictures
     * @param sampleShape the shape of one example, or null to keep the shape read (rows of a matrix are vectors)
     * @param dtype       {@code float32} or {@code float64}
     * @param kind        {@link DataInfo#CONTINUOUS}, {@link DataInfo#BINARY} or {@link DataInfo#DISCRETE}
     * @param numClasses  classes of the labels (0 when unlabelled)
     * @param checksum    sha256 of the input, for provenance
     */
    public record Meta(String name, long[] sampleShape, String dtype, String kind, int numClasses, String checksum) {
        public Meta {
            if (!DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("dtype must be one of " + DTYPES + ", was '" + dtype + "'");
            }
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind must be one of " + KINDS + ", was '" + kind + "'");
            }
        }
    }

    /** Checks a {@code shape} setting: null, or positive dimensions. */
    public static long[] shape(List<Integer> shape) {
        if (shape == null) {
            return null;
        }
        if (shape.isEmpty()) {
            throw new IllegalArgumentException("shape must list at least one dimension");
        }
        long[] out = new long[shape.size()];
        for (int i = 0; i < out.length; i++) {
            Integer v = shape.get(i);
            if (v == null || v < 1) {
                throw new IllegalArgumentException("shape must list positive dimensions, was " + shape);
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * {@code train} and {@code test} as given when {@code test} is not null; otherwise {@code train} split by a
     * seeded permutation: round(n * testFraction) rows (at least one, and at least one left to train on) go to
     * {@code test}. Each split keeps the file's row order.
     */
    public static Dataset assemble(Meta meta, Part train, Part test, double testFraction, Rng rng,
                                   BufferAllocator allocator) throws DataFileException {
        List<Tensor> owned = new ArrayList<>();
        addAll(owned, train, test);
        Map<String, Batch> splits = new LinkedHashMap<>();
        try {
            Tensor x = convert(train, meta, owned, allocator);
            check(meta, train, x, test == null ? null : "train");
            long[] shape = sampleShape(meta, train, x);
            Tensor tx = null;
            if (test != null) {
                tx = convert(test, meta, owned, allocator);
                check(meta, test, tx, "test");
                long[] testShape = sampleShape(meta, test, tx);
                if (!Arrays.equals(shape, testShape)) {
                    throw new DataFileException(test.source() + ": examples are shaped " + Arrays.toString(testShape)
                            + " but the training input's are " + Arrays.toString(shape));
                }
            }
            if (test != null) {
                splits.put("train", batch(x, train.label(), shape, null));
                splits.put("test", batch(tx, test.label(), shape, null));
            } else {
                long n = x.rows();
                if (n < 2) {
                    throw new DataFileException(train.source() + ": " + n + " row(s) cannot be split into train and "
                            + "test; give at least 2, or separate 'train' and 'test' inputs");
                }
                int rows = Math.toIntExact(n);
                int nTest = (int) Math.max(1, Math.min(n - 1, Math.round(n * testFraction)));
                int[] perm = new int[rows];
                for (int i = 0; i < rows; i++) {
                    perm[i] = i;
                }
                for (int i = rows - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
                int[] testRows = Arrays.copyOfRange(perm, 0, nTest);
                int[] trainRows = Arrays.copyOfRange(perm, nTest, rows);
                Arrays.sort(testRows);
                Arrays.sort(trainRows);
                splits.put("train", batch(x, train.label(), shape, trainRows));
                splits.put("test", batch(x, train.label(), shape, testRows));
            }
            // Everything the splits do not hold is freed now; the splits are the dataset's.
            for (Tensor t : owned) {
                t.close();
            }
            long[] servedShape = Arrays.copyOfRange(splits.get("train").x().shape(), 1,
                    splits.get("train").x().rank());
            DataInfo info = new DataInfo(meta.name(), servedShape, meta.kind(), meta.numClasses(), meta.checksum());
            return new InMemoryDataset(info, splits);
        } catch (DataFileException | RuntimeException e) {
            splits.values().forEach(Batch::close);
            owned.forEach(Tensor::close);
            throw e;
        }
    }

    private static void addAll(List<Tensor> owned, Part... parts) {
        for (Part p : parts) {
            if (p != null) {
                owned.add(p.x());
                if (p.label() != null) {
                    owned.add(p.label());
                }
            }
        }
    }

    /** x as the requested float type: the same tensor when it already is, else a converted copy (also owned). */
    private static Tensor convert(Part part, Meta meta, List<Tensor> owned, BufferAllocator allocator) {
        DType target = meta.dtype().equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
        Tensor x = part.x();
        if (x.dtype() == target) {
            return x;
        }
        Tensor out = Tensor.allocate(allocator, target, x.shape());
        owned.add(out);
        long n = x.size();
        for (long i = 0; i < n; i++) {
            out.setDouble(i, x.getDouble(i));
        }
        return out;
    }

    private static void check(Meta meta, Part part, Tensor x, String split) throws DataFileException {
        String where = part.source();
        if (x.rank() < 1 || x.rows() < 1) {
            throw new DataFileException(where + ": no examples" + (split == null ? "" : " in the " + split + " input"));
        }
        if (part.label() != null && part.label().rows() != x.rows()) {
            throw new DataFileException(where + ": " + x.rows() + " examples but " + part.label().rows() + " labels");
        }
        long width = x.rowSize();
        long n = x.size();
        boolean binary = meta.kind().equals(DataInfo.BINARY);
        boolean discrete = meta.kind().equals(DataInfo.DISCRETE);
        for (long i = 0; i < n; i++) {
            double v = x.getDouble(i);
            if (!Double.isFinite(v)) {
                throw new DataFileException(where + ": example " + i / width + " has " + v + " at position " + i % width
                        + "; every value must be a finite number");
            }
            if (binary && v != 0 && v != 1) {
                throw new DataFileException(where + ": example " + i / width + " has " + v + " at position " + i % width
                        + ", but kind 'binary' takes only 0 and 1");
            }
            if (discrete && (v < 0 || v != Math.rint(v))) {
                throw new DataFileException(where + ": example " + i / width + " has " + v + " at position " + i % width
                        + ", but kind 'discrete' takes only non-negative integers");
            }
        }
    }

    private static long[] sampleShape(Meta meta, Part part, Tensor x) throws DataFileException {
        long[] read = Arrays.copyOfRange(x.shape(), 1, x.rank());
        if (read.length == 0) {
            read = new long[] {1};
        }
        if (meta.sampleShape() == null) {
            return read;
        }
        long want = Arrays.stream(meta.sampleShape()).reduce(1, Math::multiplyExact);
        if (want != x.rowSize()) {
            throw new DataFileException(part.source() + ": field 'shape' " + Arrays.toString(meta.sampleShape())
                    + " holds " + want + " values, but each example has " + x.rowSize() + " (shaped "
                    + Arrays.toString(read) + ")");
        }
        return meta.sampleShape().clone();
    }

    /** The rows {@code rows} (all when null) of x and its labels, copied into new tensors shaped [n, ...shape]. */
    private static Batch batch(Tensor x, Tensor label, long[] shape, int[] rows) {
        long n = rows == null ? x.rows() : rows.length;
        long[] full = new long[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor outX = null;
        Tensor outLabel = null;
        try {
            outX = Tensor.allocate(x.allocator(), x.dtype(), full);
            copyRows(x, outX, rows);
            if (label != null) {
                outLabel = Tensor.allocate(x.allocator(), DType.INT32, n);
                copyRows(label, outLabel, rows);
            }
            return outLabel == null ? Batch.of(outX) : Batch.of(outX, outLabel);
        } catch (RuntimeException e) {
            if (outX != null) {
                outX.close();
            }
            if (outLabel != null) {
                outLabel.close();
            }
            throw e;
        }
    }

    private static void copyRows(Tensor from, Tensor to, int[] rows) {
        long rowBytes = from.rowSize() * from.dtype().bytes();
        ArrowBuf src = from.buffer();
        ArrowBuf dst = to.buffer();
        if (from.dtype() != to.dtype()) {
            long width = from.rowSize();
            long n = rows == null ? from.rows() : rows.length;
            for (long r = 0; r < n; r++) {
                long s = rows == null ? r : rows[(int) r];
                for (long c = 0; c < width; c++) {
                    to.setDouble(r * width + c, from.getDouble(s * width + c));
                }
            }
            return;
        }
        if (rows == null) {
            dst.setBytes(0, src, 0, rowBytes * from.rows());
            return;
        }
        for (int r = 0; r < rows.length; r++) {
            dst.setBytes(r * rowBytes, src, rows[r] * rowBytes, rowBytes);
        }
    }
}
