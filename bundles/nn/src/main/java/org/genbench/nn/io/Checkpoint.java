package org.genbench.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.genbench.nn.DType;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.optim.Ema;
import org.genbench.nn.optim.Optimizer;

/**
 * One file of named arrays plus string metadata, in the safetensors layout (an 8-byte little-endian header length, a
 * JSON header naming each array's dtype, shape and byte range, then the raw little-endian values): readable from
 * Python with {@code safetensors} or a few lines of numpy, and free of Java class names, so a checkpoint loads in any
 * bundle and after any bundle update. Written to a temporary name and renamed, so a file is whole or absent.
 *
 * <p>Modules, optimizers and EMAs go in under a key each ({@code generator/conv1.weight},
 * {@code generator.optimizer/conv1.weight.m}, metadata {@code generator.optimizer.steps}); loading fails loudly,
 * naming what is missing or misshapen.
 */
public final class Checkpoint {
    /** Metadata key of the format; a file without it, or with another value, is refused. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT = "genbench-nn/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, NdArray> arrays;
    private final Map<String, String> metadata;

    private Checkpoint(Map<String, NdArray> arrays, Map<String, String> metadata) {
        this.arrays = arrays;
        this.metadata = metadata;
    }

    /** An empty checkpoint to fill and {@link #write}. */
    public static Checkpoint create() {
        Map<String, String> meta = new TreeMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        return new Checkpoint(new LinkedHashMap<>(), meta);
    }

    public Checkpoint put(String name, NdArray array) {
        if (name.isEmpty() || name.length() > 1000) {
            throw new IllegalArgumentException("array name must have 1..1000 characters");
        }
        if (arrays.put(name, array) != null) {
            throw new IllegalArgumentException("'" + name + "' is in the checkpoint twice");
        }
        return this;
    }

    public Checkpoint meta(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The module's parameters and buffers under {@code key/}. */
    public Checkpoint module(String key, Module module) {
        module.state().forEach((k, v) -> put(key + "/" + k, v));
        return this;
    }

    /** The optimizer's state under {@code key.optimizer/} and its step count. */
    public Checkpoint optimizer(String key, Optimizer optimizer) {
        optimizer.state().forEach((k, v) -> put(key + ".optimizer/" + k, v));
        return meta(key + ".optimizer.steps", Long.toString(optimizer.steps()));
    }

    /** The EMA's averaged parameters under {@code key.ema/}. */
    public Checkpoint ema(String key, Ema ema) {
        ema.state().forEach((k, v) -> put(key + ".ema/" + k, v));
        return this;
    }

    public Map<String, NdArray> arrays() {
        return arrays;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** A metadata value; fails naming the key when absent. */
    public String meta(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException("the checkpoint has no '" + key + "' entry");
        }
        return v;
    }

    /** The arrays under {@code prefix/}, with the prefix removed. */
    public Map<String, NdArray> under(String prefix) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        String p = prefix + "/";
        arrays.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return out;
    }

    /** Loads the module saved under {@code key}. */
    public void loadModule(String key, Module module) {
        module.load(under(key));
    }

    /** Loads the optimizer saved under {@code key}. */
    public void loadOptimizer(String key, Optimizer optimizer) {
        optimizer.load(under(key + ".optimizer"), Long.parseLong(meta(key + ".optimizer.steps")));
    }

    /** Loads the EMA saved under {@code key}. */
    public void loadEma(String key, Ema ema) {
        ema.load(under(key + ".ema"));
    }

    /** Writes the file (to a temporary name first, then renamed over {@code file}). */
    public void write(Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            NdArray a = e.getValue();
            long bytes = (long) a.size() * a.dtype().bytes();
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", a.dtype() == DType.F32 ? "F32" : "F64");
            var shape = entry.putArray("shape");
            for (int s : a.shape()) {
                shape.add(s);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            writeFully(ch, head);
            for (NdArray a : arrays.values()) {
                ByteBuffer buf = ByteBuffer.allocate(a.size() * a.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                if (a.dtype() == DType.F32) {
                    buf.asFloatBuffer().put(a.f(), 0, a.size());
                } else {
                    buf.asDoubleBuffer().put(a.d(), 0, a.size());
                }
                writeFully(ch, buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads a file written by {@link #write} (or any safetensors file of F32/F64 arrays with our format key). */
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint at " + file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long headerLen = len.flip().getLong();
            if (headerLen < 2 || headerLen > Math.min(size - 8, 100L << 20)) {
                throw new IOException(file + " is not a checkpoint (header length " + headerLen + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, file);
            JsonNode header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8).trim());
            Map<String, String> meta = new TreeMap<>();
            header.path("__metadata__").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
            if (!FORMAT.equals(meta.get(FORMAT_KEY))) {
                throw new IOException(file + " is not a genbench-nn checkpoint (format '" + meta.get(FORMAT_KEY)
                        + "', expected '" + FORMAT + "'); checkpoints of earlier versions cannot be loaded: retrain");
            }
            long dataStart = 8 + headerLen;
            Map<String, NdArray> arrays = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = header.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode entry = e.getValue();
                String dtype = entry.path("dtype").asText();
                int[] shape = new int[entry.path("shape").size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = entry.path("shape").get(i).asInt();
                    count *= shape[i];
                }
                long begin = entry.path("data_offsets").get(0).asLong();
                long end = entry.path("data_offsets").get(1).asLong();
                int bytes = dtype.equals("F32") ? 4 : dtype.equals("F64") ? 8 : -1;
                if (bytes < 0) {
                    throw new IOException(file + ": array '" + e.getKey() + "' has unsupported dtype " + dtype);
                }
                if (end - begin != count * bytes || dataStart + end > size || begin < 0) {
                    throw new IOException(file + ": array '" + e.getKey() + "' is truncated or inconsistent");
                }
                ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(dataStart + begin);
                readFully(ch, buf, file);
                buf.flip();
                NdArray a;
                if (bytes == 4) {
                    float[] v = new float[(int) count];
                    buf.asFloatBuffer().get(v);
                    a = NdArray.wrap(v, shape);
                } else {
                    double[] v = new double[(int) count];
                    buf.asDoubleBuffer().get(v);
                    a = NdArray.wrap(v, shape);
                }
                arrays.put(e.getKey(), a);
            }
            return new Checkpoint(arrays, meta);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(file + " ends early: truncated checkpoint");
            }
        }
    }
}
