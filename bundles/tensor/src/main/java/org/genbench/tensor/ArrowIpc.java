package org.genbench.tensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * Named tensors as an Arrow IPC file that any Arrow reader understands: one column per tensor, one row per
 * example. A tensor of rank 1 is a primitive column; a higher rank is a fixed-size list of its row's elements,
 * with the full shape in the field's {@code genbench.shape} metadata. Writing hands the tensors' buffers to the
 * writer without copying; files are written to a temporary name and renamed, so a reader never sees half a file.
 */
public final class ArrowIpc {
    public static final String SHAPE_KEY = "genbench.shape";

    private ArrowIpc() {
    }

    public static void write(Path file, Batch batch) throws IOException {
        write(file, batch.tensors());
    }

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("nothing to write to " + file);
        }
        long rows = tensors.values().iterator().next().rows();
        List<Field> fields = new ArrayList<>();
        List<ArrowFieldNode> nodes = new ArrayList<>();
        List<ArrowBuf> buffers = new ArrayList<>();
        BufferAllocator allocator = tensors.values().iterator().next().allocator();
        ArrowBuf empty = allocator.getEmpty();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.rows() != rows) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has " + t.rows() + " rows, expected " + rows);
            }
            Map<String, String> meta = Map.of(SHAPE_KEY, Arrays.stream(t.shape()).mapToObj(Long::toString)
                    .collect(Collectors.joining(",", "[", "]")));
            ArrowType elementType = arrowType(t.dtype());
            ArrowBuf data = t.buffer().slice(0, t.size() * t.dtype().bytes());
            if (t.rank() <= 1) {
                fields.add(new Field(e.getKey(), new FieldType(false, elementType, null, meta), null));
                nodes.add(new ArrowFieldNode(rows, 0));
                buffers.add(empty);
                buffers.add(data);
            } else {
                int width = Math.toIntExact(t.rowSize());
                Field child = new Field("item", new FieldType(false, elementType, null), null);
                fields.add(new Field(e.getKey(), new FieldType(false, new ArrowType.FixedSizeList(width), null, meta),
                        List.of(child)));
                nodes.add(new ArrowFieldNode(rows, 0));
                buffers.add(empty);
                nodes.add(new ArrowFieldNode(rows * width, 0));
                buffers.add(empty);
                buffers.add(data);
            }
        }
        Schema schema = new Schema(fields, Map.of("genbench.format", "1"));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             ArrowRecordBatch recordBatch = new ArrowRecordBatch(Math.toIntExact(rows), nodes, buffers)) {
            new VectorLoader(root).load(recordBatch);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 ArrowFileWriter writer = new ArrowFileWriter(root, null, channel)) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // A full disk (or a file size limit) stops the write part way: leave no half file behind.
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Reads every column of {@code file} as a tensor; the caller closes the batch. */
    public static Map<String, Tensor> read(Path file, BufferAllocator allocator) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<Map<String, Tensor>> parts = new ArrayList<>();
            try {
                while (reader.loadNextBatch()) {
                    parts.add(columns(root, file));
                }
                return concat(parts, allocator, file);
            } catch (RuntimeException | IOException ex) {
                parts.forEach(p -> p.values().forEach(Tensor::close));
                throw ex;
            }
        } catch (org.apache.arrow.vector.ipc.InvalidArrowFileException ex) {
            throw new IOException(file + " is not an Arrow IPC file: " + ex.getMessage(), ex);
        }
    }

    public static Batch readBatch(Path file, BufferAllocator allocator) throws IOException {
        Map<String, Tensor> tensors = read(file, allocator);
        try {
            return new Batch(tensors);
        } catch (IllegalArgumentException ex) {
            tensors.values().forEach(Tensor::close);
            throw new IOException(file + ": " + ex.getMessage(), ex);
        }
    }

    private static Map<String, Tensor> columns(VectorSchemaRoot root, Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int rows = root.getRowCount();
        for (FieldVector v : root.getFieldVectors()) {
            Field field = v.getField();
            FieldVector values = v instanceof FixedSizeListVector list ? (FieldVector) list.getDataVector() : v;
            if (values.getNullCount() > 0) {
                throw new IOException(file + ": column '" + field.getName() + "' has nulls");
            }
            DType dtype = dtype(values.getField().getType(), file);
            long[] shape = shape(field, rows, v instanceof FixedSizeListVector list ? list.getListSize() : 1);
            ArrowBuf data = values.getDataBuffer();
            data.getReferenceManager().retain();
            out.put(field.getName(), Tensor.wrap(data, dtype, shape));
        }
        return out;
    }

    private static long[] shape(Field field, int rows, int width) {
        String s = field.getMetadata() == null ? null : field.getMetadata().get(SHAPE_KEY);
        if (s == null) {
            return width == 1 && !(field.getType() instanceof ArrowType.FixedSizeList) ? new long[] {rows} : new long[] {rows, width};
        }
        long[] shape = Arrays.stream(s.replaceAll("[\\[\\] ]", "").split(",")).mapToLong(Long::parseLong).toArray();
        shape[0] = rows;
        return shape;
    }

    private static Map<String, Tensor> concat(List<Map<String, Tensor>> parts, BufferAllocator allocator, Path file)
            throws IOException {
        if (parts.isEmpty()) {
            throw new IOException(file + " holds no record batch");
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : parts.get(0).keySet()) {
            Tensor first = parts.get(0).get(name);
            long rows = parts.stream().mapToLong(p -> p.get(name).rows()).sum();
            long[] shape = first.shape();
            shape[0] = rows;
            Tensor joined = Tensor.allocate(allocator, first.dtype(), shape);
            long offset = 0;
            for (Map<String, Tensor> p : parts) {
                Tensor t = p.get(name);
                long bytes = t.size() * t.dtype().bytes();
                joined.buffer().setBytes(offset, t.buffer(), 0, bytes);
                offset += bytes;
            }
            out.put(name, joined);
        }
        parts.forEach(p -> p.values().forEach(Tensor::close));
        return out;
    }

    static ArrowType arrowType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case INT32 -> new ArrowType.Int(32, true);
            case INT64 -> new ArrowType.Int(64, true);
            case UINT8 -> new ArrowType.Int(8, false);
        };
    }

    static DType dtype(ArrowType type, Path file) throws IOException {
        if (type instanceof ArrowType.FloatingPoint fp) {
            if (fp.getPrecision() == FloatingPointPrecision.SINGLE) {
                return DType.FLOAT32;
            }
            if (fp.getPrecision() == FloatingPointPrecision.DOUBLE) {
                return DType.FLOAT64;
            }
        } else if (type instanceof ArrowType.Int i) {
            if (i.getBitWidth() == 32 && i.getIsSigned()) {
                return DType.INT32;
            }
            if (i.getBitWidth() == 64 && i.getIsSigned()) {
                return DType.INT64;
            }
            if (i.getBitWidth() == 8 && !i.getIsSigned()) {
                return DType.UINT8;
            }
        }
        throw new IOException(file + ": unsupported column type " + type);
    }
}
