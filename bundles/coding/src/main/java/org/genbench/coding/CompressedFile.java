package org.genbench.coding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compressed data set on disk ({@code .gbz}): the magic {@code GBZ1}, a header (4-byte big-endian length, then
 * UTF-8 JSON: which model and checkpoint coded it, the examples' shape, levels and batch, the symbols' sha256, the
 * model's -log2 p), then the rANS stream. The header is the constant a reader adds to the model's bits; the stream
 * is what the model's probabilities buy. Written under a temporary name and renamed.
 */
public final class CompressedFile {
    static final byte[] MAGIC = "GBZ1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private CompressedFile() {
    }

    /** A file's parts: the header's fields and the stream; {@link #headerBytes} is what the header took on disk. */
    public record Contents(Map<String, Object> header, byte[] stream, long headerBytes) {
        public long examples() {
            return ((Number) header.get("examples")).longValue();
        }

        public long[] shape() {
            return ((java.util.List<?>) header.get("shape")).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
        }

        public int batch() {
            return ((Number) header.get("batch")).intValue();
        }

        public int levels() {
            return ((Number) header.get("levels")).intValue();
        }

        public String string(String key) {
            Object v = header.get(key);
            return v == null ? null : v.toString();
        }
    }

    /**
     * The header a file of {@code encoded} carries: {@code model} (free-form identity of the model and checkpoint:
     * run, family, sha256), shape, levels, batch, counts and costs.
     */
    public static Map<String, Object> header(Codec.Encoded encoded, long[] shape, int levels, int batch,
                                             Map<String, Object> model) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("format", "genbench compressed data 1: rANS (64-bit state, 32-bit words, " + Frequencies.PRECISION
                + "-bit frequencies) over a model's conditionals");
        h.put("model", model);
        h.put("examples", encoded.examples());
        h.put("shape", java.util.Arrays.stream(shape).boxed().toList());
        h.put("levels", levels);
        h.put("batch", batch);
        h.put("symbols_sha256", encoded.symbolsSha256());
        h.put("model_bits", encoded.modelBits());
        h.put("stream_bytes", encoded.stream().length);
        return h;
    }

    public static long write(Path file, Map<String, Object> header, byte[] stream) throws IOException {
        byte[] json = JSON.writeValueAsBytes(header);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream raw = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(raw)) {
            out.write(MAGIC);
            out.writeInt(json.length);
            out.write(json);
            out.write(stream);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Files.size(file);
    }

    @SuppressWarnings("unchecked")
    public static Contents read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(4);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a genbench compressed file (no GBZ1 magic)");
            }
            int length = in.readInt();
            if (length < 2 || length > 1 << 20) {
                throw new IOException(file + ": header of " + length + " bytes");
            }
            Map<String, Object> header = JSON.readValue(in.readNBytes(length), Map.class);
            byte[] stream = in.readAllBytes();
            Object expected = header.get("stream_bytes");
            if (expected instanceof Number e && e.longValue() != stream.length) {
                throw new IOException(file + " is truncated: the header says " + e + " stream bytes, the file has "
                        + stream.length);
            }
            return new Contents(header, stream, 8L + length);
        }
    }
}
