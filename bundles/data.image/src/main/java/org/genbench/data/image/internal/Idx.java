package org.genbench.data.image.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * LeCun's IDX format (MNIST and its kin): a big-endian header (two zero bytes, a type code, the rank, one int per
 * dimension) and the raw values. Only unsigned bytes (type 0x08) occur in these datasets.
 */
final class Idx {
    private static final int UBYTE = 0x08;

    /** The values and the dimensions read from one file. */
    record Array(int[] dims, byte[] values) {
    }

    private Idx() {
    }

    /** Reads a gzip-compressed IDX file of unsigned bytes with {@code rank} dimensions. */
    static Array readGz(Path file, int rank) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UBYTE || (magic & 0xff) != rank) {
                throw new IOException(file + ": not an IDX file of unsigned bytes with rank " + rank
                        + " (header 0x" + Integer.toHexString(magic) + ")");
            }
            int[] dims = new int[rank];
            long n = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IOException(file + ": negative dimension " + dims[i]);
                }
                n *= dims[i];
            }
            if (n > Integer.MAX_VALUE - 16) {
                throw new IOException(file + ": " + n + " values do not fit one array");
            }
            byte[] values = new byte[(int) n];
            in.readFully(values);
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after " + n + " values");
            }
            return new Array(dims, values);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not valid gzip: " + e.getMessage(), e);
        }
    }
}
