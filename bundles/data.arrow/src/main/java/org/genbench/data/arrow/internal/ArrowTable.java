package org.genbench.data.arrow.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.tensor.ArrowIpc;

/**
 * An Arrow IPC file (the file format, which Feather v2 is, or the stream format) read column by column into one
 * float tensor of features and the label column's text. Feature columns are numeric (floats, signed and unsigned
 * integers, booleans) or fixed-size lists of numbers (genbench's tensor columns, shape in
 * {@value ArrowIpc#SHAPE_KEY}); labels may be numbers or strings. Nulls are refused.
 */
final class ArrowTable {
    final Tensor x;
    final List<String> labels;
    /** The example shape recorded in the file (one fixed-size-list column with genbench's metadata), or null. */
    final long[] recordedShape;

    private ArrowTable(Tensor x, List<String> labels, long[] recordedShape) {
        this.x = x;
        this.labels = labels;
        this.recordedShape = recordedShape;
    }

    /**
     * Reads {@code columns} (default: {@code x} when the file has it, else every numeric column but the label) and
     * the label column {@code label} (default: {@code label} when the file has it, unless {@code columns} were
     * given).
     */
    static ArrowTable read(Path file, List<String> columns, String label, String dtype, BufferAllocator allocator)
            throws IOException {
        String where = file.toString();
        byte[] head = new byte[6];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 6);
            if (n >= 4 && head[0] == 'F' && head[1] == 'E' && head[2] == 'A' && head[3] == '1') {
                throw new DataFileException(where + ": a Feather version 1 file; genbench reads Feather version 2 (Arrow"
                        + " IPC): write it again with pyarrow.feather.write_feather(table, path, version=2,"
                        + " compression='uncompressed')");
            }
        }
        boolean fileFormat = new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("ARROW1");
        List<Tensor> chunks = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowReader reader = fileFormat ? new ArrowFileReader(channel, allocator)
                     : new ArrowStreamReader(channel, allocator)) {
            VectorSchemaRoot root;
            Schema schema;
            try {
                root = reader.getVectorSchemaRoot();
                schema = root.getSchema();
            } catch (IOException | RuntimeException e) {
                throw new DataFileException(where + ": not an Arrow IPC (Feather v2) file: " + e.getMessage(), e);
            }
            List<String> names = schema.getFields().stream().map(Field::getName).toList();
            String labelName = label != null ? label : columns == null && names.contains("label") ? "label" : null;
            if (labelName != null && !names.contains(labelName)) {
                throw new DataFileException(where + ": field 'label' names column '" + labelName + "', which the file"
                        + " does not have; columns: " + names);
            }
            List<String> features = columns != null ? columns : defaultColumns(schema, labelName);
            if (features.isEmpty()) {
                throw new DataFileException(where + ": no numeric columns to use as features; columns: " + names);
            }
            long width = 0;
            for (String c : features) {
                if (!names.contains(c)) {
                    throw new DataFileException(where + ": field 'columns' names column '" + c + "', which the file does"
                            + " not have; columns: " + names);
                }
                if (c.equals(labelName)) {
                    throw new DataFileException(where + ": column '" + c + "' is both a feature and the label");
                }
                width += width(schema.findField(c), where);
            }
            DType target = dtype.equals("float64") || dtype.equals("auto") && allDouble(schema, features)
                    ? DType.FLOAT64 : DType.FLOAT32;
            long[] recorded = null;
            if (features.size() == 1) {
                Field f = schema.findField(features.get(0));
                String meta = f.getMetadata() == null ? null : f.getMetadata().get(ArrowIpc.SHAPE_KEY);
                if (meta != null && f.getType() instanceof ArrowType.FixedSizeList) {
                    long[] full = Arrays.stream(meta.replaceAll("[\\[\\] ]", "").split(","))
                            .mapToLong(Long::parseLong).toArray();
                    recorded = Arrays.copyOfRange(full, 1, full.length);
                }
            }
            List<String> labels = labelName == null ? null : new ArrayList<>();
            long rows = 0;
            while (load(reader, where)) {
                int n = root.getRowCount();
                Tensor chunk = Tensor.allocate(allocator, target, n, width);
                chunks.add(chunk);
                long offset = 0;
                for (String c : features) {
                    offset += copy(root.getVector(c), chunk, n, width, offset, where);
                }
                if (labels != null) {
                    FieldVector v = root.getVector(labelName);
                    for (int i = 0; i < n; i++) {
                        labels.add(text(v, i, labelName, rows + i, where));
                    }
                }
                rows += n;
            }
            Tensor x = concat(chunks, rows, width, target, allocator);
            chunks.clear();
            return new ArrowTable(x, labels, recorded);
        } finally {
            chunks.forEach(Tensor::close);
        }
    }

    private static boolean load(ArrowReader reader, String where) throws DataFileException {
        try {
            return reader instanceof ArrowFileReader f ? f.loadNextBatch() : reader.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            String hint = msg.toLowerCase(java.util.Locale.ROOT).contains("compress")
                    ? "; the file is compressed (pyarrow's Feather default): write it with compression='uncompressed'"
                    : "";
            throw new DataFileException(where + ": cannot read a record batch: " + msg + hint, e);
        }
    }

    private static List<String> defaultColumns(Schema schema, String label) {
        List<String> out = new ArrayList<>();
        for (Field f : schema.getFields()) {
            if (f.getName().equals("x") && !"x".equals(label)) {
                return List.of("x");
            }
        }
        for (Field f : schema.getFields()) {
            if (!f.getName().equals(label) && numeric(f.getType())) {
                out.add(f.getName());
            }
        }
        return out;
    }

    /** True when every named column holds float64 values (then {@code auto} keeps float64). */
    static boolean allDouble(Schema schema, List<String> columns) {
        for (String c : columns) {
            Field f = schema.findField(c);
            ArrowType t = f.getType() instanceof ArrowType.FixedSizeList ? f.getChildren().get(0).getType() : f.getType();
            if (!(t instanceof ArrowType.FloatingPoint fp)
                    || fp.getPrecision() != org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE) {
                return false;
            }
        }
        return true;
    }

    private static boolean numeric(ArrowType t) {
        return t instanceof ArrowType.FloatingPoint || t instanceof ArrowType.Int || t instanceof ArrowType.Bool;
    }

    private static long width(Field f, String where) throws DataFileException {
        if (numeric(f.getType())) {
            return 1;
        }
        if (f.getType() instanceof ArrowType.FixedSizeList list && numeric(f.getChildren().get(0).getType())) {
            return list.getListSize();
        }
        throw new DataFileException(where + ": column '" + f.getName() + "' is " + f.getType() + ", not numbers (or a"
                + " fixed-size list of numbers)");
    }

    /** Copies column {@code v} into columns [offset, offset + width) of {@code out}; returns its width. */
    private static long copy(FieldVector v, Tensor out, int n, long width, long offset, String where)
            throws DataFileException {
        if (v instanceof FixedSizeListVector list) {
            FieldVector values = (FieldVector) list.getDataVector();
            int w = list.getListSize();
            for (int i = 0; i < n; i++) {
                if (list.isNull(i)) {
                    throw new DataFileException(where + ": column '" + v.getName() + "' has a null at row " + i);
                }
                for (int j = 0; j < w; j++) {
                    out.setDouble(i * width + offset + j, number(values, i * w + j, v.getName(), i, where));
                }
            }
            return w;
        }
        for (int i = 0; i < n; i++) {
            out.setDouble(i * width + offset, number(v, i, v.getName(), i, where));
        }
        return 1;
    }

    private static double number(FieldVector v, int i, String column, long row, String where) throws DataFileException {
        if (v.isNull(i)) {
            throw new DataFileException(where + ": column '" + column + "' has a null at row " + row
                    + "; fill or drop missing values first");
        }
        if (v instanceof FloatingPointVector f) {
            return f.getValueAsDouble(i);
        }
        if (v instanceof UInt1Vector u) {
            return u.get(i) & 0xff;
        }
        if (v instanceof UInt2Vector u) {
            return u.get(i);
        }
        if (v instanceof UInt4Vector u) {
            return u.get(i) & 0xffffffffL;
        }
        if (v instanceof UInt8Vector u) {
            long x = u.get(i);
            return x >= 0 ? x : (double) (x >>> 1) * 2 + (x & 1);
        }
        if (v instanceof BaseIntVector b) {
            return b.getValueAsLong(i);
        }
        if (v instanceof BitVector b) {
            return b.get(i);
        }
        throw new DataFileException(where + ": column '" + column + "' holds " + v.getField().getType() + ", not numbers");
    }

    private static String text(FieldVector v, int i, String column, long row, String where) throws DataFileException {
        if (v.isNull(i)) {
            throw new DataFileException(where + ": label column '" + column + "' has a null at row " + row);
        }
        if (v instanceof VarCharVector s) {
            return new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (v instanceof LargeVarCharVector s) {
            return new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8);
        }
        double d = number(v, i, column, row, where);
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static Tensor concat(List<Tensor> chunks, long rows, long width, DType target, BufferAllocator allocator)
            throws DataFileException {
        if (chunks.size() == 1) {
            return chunks.get(0);
        }
        Tensor out = Tensor.allocate(allocator, target, rows, width);
        long at = 0;
        for (Tensor c : chunks) {
            long bytes = c.size() * target.bytes();
            out.buffer().setBytes(at, c.buffer(), 0, bytes);
            at += bytes;
            c.close();
        }
        return out;
    }
}
