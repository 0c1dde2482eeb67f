package org.genbench.vision;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST as Zalando distributes it and Debian packages it ({@code dataset-fashion-mnist}:
 * {@code /usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz}). Read here only to train the default feature network
 * (and by tests that need the images without a workbench); experiments get images from the data.image bundle.
 */
public final class FashionMnistIdx {
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;
    public static final int CLASSES = 10;

    /** {@code pixels[n * 784]} row-major 0..255, {@code labels[n]} 0..9, and the sha256 of both files. */
    public record Split(byte[] pixels, byte[] labels, String imagesSha256, String labelsSha256) {
        public int size() {
            return labels.length;
        }
    }

    private FashionMnistIdx() {
    }

    /** {@code prefix} is {@code train} or {@code t10k}. */
    public static Split read(Path dir, String prefix) throws IOException {
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new NoSuchFileException(images + " and " + labels, null, "Fashion-MNIST not found; on Debian: "
                    + "apt-get install dataset-fashion-mnist (or set the evaluator's fashionMnistDir)");
        }
        MessageDigest imageDigest = sha256();
        MessageDigest labelDigest = sha256();
        byte[] pixels;
        byte[] classes;
        try (DataInputStream in = open(images, imageDigest)) {
            int magic = in.readInt();
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (magic != 0x0803 || rows != ROWS || cols != COLS) {
                throw new IOException(images + ": not a 28x28 IDX image file (magic " + Integer.toHexString(magic) + ")");
            }
            pixels = in.readNBytes(n * PIXELS);
            if (pixels.length != n * PIXELS) {
                throw new IOException(images + ": truncated after " + pixels.length + " bytes");
            }
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        try (DataInputStream in = open(labels, labelDigest)) {
            int magic = in.readInt();
            int n = in.readInt();
            if (magic != 0x0801 || (long) n * PIXELS != pixels.length) {
                throw new IOException(labels + ": not an IDX label file for " + pixels.length / PIXELS + " images");
            }
            classes = in.readNBytes(n);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new Split(pixels, classes, HexFormat.of().formatHex(imageDigest.digest()),
                HexFormat.of().formatHex(labelDigest.digest()));
    }

    /** The digest sees the compressed file as it is on disk, which is what identifies the data. */
    private static DataInputStream open(Path file, MessageDigest digest) throws IOException {
        return new DataInputStream(new GZIPInputStream(new DigestInputStream(Files.newInputStream(file), digest), 1 << 16));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
