package org.genbench.data.numpy.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;

/**
 * NumPy's {@code .npy} format (versions 1 to 3): the magic {@code \x93NUMPY}, a header dict
 * ({@code descr}, {@code fortran_order}, {@code shape}) and the raw values. Reads floats (2, 4, 8 bytes), signed and
 * unsigned integers and booleans in either byte order, C or Fortran order, into a float tensor in C order. Object
 * arrays are refused without being unpickled (loading a pickle runs code from the file), as are structured and
 * complex dtypes.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*('([^']*)'|\\[)");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** What the header says. */
    record Header(char order, char kind, int itemSize, boolean fortran, long[] shape, String descr) {
        long count() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        String dtypeName() {
            return switch (kind) {
                case 'f' -> "float" + itemSize * 8;
                case 'i' -> "int" + itemSize * 8;
                case 'u' -> "uint" + itemSize * 8;
                case 'b' -> "bool";
                default -> descr;
            };
        }
    }

    private Npy() {
    }

    static Header header(InputStream in, String where) throws IOException {
        byte[] magic = new byte[8];
        try {
            readFully(in, magic);
        } catch (EOFException e) {
            throw new DataFileException(where + ": not a NumPy .npy file (shorter than its magic)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new DataFileException(where + ": not a NumPy .npy file (no \\x93NUMPY magic)");
            }
        }
        int major = magic[6] & 0xff;
        int length;
        if (major == 1) {
            byte[] len = new byte[2];
            readFully(in, len);
            length = (len[0] & 0xff) | (len[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = new byte[4];
            readFully(in, len);
            length = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new DataFileException(where + ": .npy format version " + major + " is not one this reader knows (1-3)");
        }
        if (length < 0 || length > 1 << 20) {
            throw new DataFileException(where + ": implausible .npy header length " + length);
        }
        byte[] text = new byte[length];
        readFully(in, text);
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DataFileException(where + ": unreadable .npy header " + dict.trim());
        }
        if (d.group(2) == null) {
            throw new DataFileException(where + ": a structured array (fields " + dict.substring(d.start()).trim()
                    + ") is not a table of numbers; save the numeric columns as one array");
        }
        String descr = d.group(2);
        if (descr.length() >= 2 && descr.charAt(1) == 'O') {
            throw new DataFileException(where + ": pickled object arrays are refused (dtype '" + descr + "'): loading "
                    + "one would run code from the file; save a numeric array");
        }
        if (descr.length() < 3) {
            throw new DataFileException(where + ": unknown dtype '" + descr + "'");
        }
        char order = descr.charAt(0);
        char kind = descr.charAt(1);
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new DataFileException(where + ": unknown dtype '" + descr + "'");
        }
        boolean known = switch (kind) {
            case 'f' -> size == 2 || size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'b' -> size == 1;
            default -> false;
        };
        if (!known || "<>|=".indexOf(order) < 0) {
            throw new DataFileException(where + ": dtype '" + descr + "' is not one genbench reads (float16/32/64, "
                    + "int8-64, uint8-64, bool)");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                try {
                    dims.add(Long.parseLong(part.trim().replace("L", "")));
                } catch (NumberFormatException e) {
                    throw new DataFileException(where + ": unreadable shape (" + s.group(1) + ")");
                }
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new Header(order, kind, size, f.group(1).equals("True"), shape, descr);
    }

    /**
     * The array's values as a {@code target} tensor in C order (a Fortran-order file is transposed on the way).
     * The stream must be positioned after the header.
     */
    static Tensor values(InputStream raw, Header h, String where, DType target, BufferAllocator allocator)
            throws IOException {
        if (h.shape().length == 0) {
            throw new DataFileException(where + ": a 0-d array (one scalar) holds no examples; save an array with one"
                    + " row per example");
        }
        long n = h.count();
        Tensor out = Tensor.allocate(allocator, target, h.shape());
        try {
            InputStream in = new BufferedInputStream(raw, 1 << 16);
            ByteOrder order = h.order() == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int size = h.itemSize();
            byte[] chunk = new byte[Math.max(size, (1 << 16) / size * size)];
            ByteBuffer buf = ByteBuffer.wrap(chunk).order(order);
            long[] shape = h.shape();
            int rank = shape.length;
            long[] cStride = new long[rank];
            long stride = 1;
            for (int a = rank - 1; a >= 0; a--) {
                cStride[a] = stride;
                stride *= shape[a];
            }
            long[] index = new long[rank];
            long done = 0;
            while (done < n) {
                int want = (int) Math.min(chunk.length / size, n - done);
                int got = 0;
                while (got < want * size) {
                    int r = in.read(chunk, got, want * size - got);
                    if (r < 0) {
                        throw new DataFileException(where + ": truncated: the header promises " + n + " values of "
                                + size + " bytes, the file ends after " + (done + got / size));
                    }
                    got += r;
                }
                for (int i = 0; i < want; i++) {
                    double v = value(buf, i * size, h.kind(), size);
                    long dest;
                    if (h.fortran()) {
                        dest = 0;
                        for (int a = 0; a < rank; a++) {
                            dest += index[a] * cStride[a];
                        }
                        for (int a = 0; a < rank && ++index[a] == shape[a]; a++) {
                            index[a] = 0;
                        }
                    } else {
                        dest = done + i;
                    }
                    out.setDouble(dest, v);
                }
                done += want;
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static double value(ByteBuffer b, int at, char kind, int size) {
        return switch (kind) {
            case 'f' -> size == 8 ? b.getDouble(at) : size == 4 ? b.getFloat(at) : Float.float16ToFloatCompat(b.getShort(at));
            case 'i' -> switch (size) {
                case 1 -> b.get(at);
                case 2 -> b.getShort(at);
                case 4 -> b.getInt(at);
                default -> b.getLong(at);
            };
            case 'u' -> switch (size) {
                case 1 -> b.get(at) & 0xff;
                case 2 -> b.getShort(at) & 0xffff;
                case 4 -> b.getInt(at) & 0xffffffffL;
                default -> unsigned(b.getLong(at));
            };
            default -> b.get(at) != 0 ? 1 : 0;
        };
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
    }

    private static void readFully(InputStream in, byte[] b) throws IOException {
        int got = 0;
        while (got < b.length) {
            int r = in.read(b, got, b.length - got);
            if (r < 0) {
                throw new EOFException();
            }
            got += r;
        }
    }

    /** IEEE half precision, for JDKs without {@code Float.float16ToFloat} (JDK 20+). */
    static final class Float {
        private Float() {
        }

        static float float16ToFloatCompat(short h) {
            int bits = h & 0xffff;
            int sign = bits >>> 15;
            int exp = (bits >>> 10) & 0x1f;
            int mant = bits & 0x3ff;
            float v;
            if (exp == 0) {
                v = (float) (mant * Math.pow(2, -24));
            } else if (exp == 31) {
                v = mant == 0 ? java.lang.Float.POSITIVE_INFINITY : java.lang.Float.NaN;
            } else {
                v = (float) ((1 + mant / 1024.0) * Math.pow(2, exp - 15));
            }
            return sign == 1 ? -v : v;
        }
    }
}
