package org.genbench.data.image.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;

/**
 * The prepare step: packaged IDX files to one Arrow IPC file per split ({@code x} UINT8 {@code [n, 1, 28, 28]},
 * {@code label} INT32 {@code [n]}), checked against the manifest on both sides. Bytes, not floats, so the file is
 * lossless and a quarter the size; scaling and binarizing are settings of the dataset, applied when it is opened.
 *
 * <p>Runs on first use from the dataset bundle, or by hand: {@code datasets/fashion-mnist/prepare.sh [DIR]}.
 */
public final class Prepare {
    /** One conversion at a time in this JVM: two runs that open the dataset together must not race on the files. */
    private static final Object LOCK = new Object();

    private Prepare() {
    }

    /** Converts into {@code args[0]} (default {@code workspace/data/fashion-mnist}) and prints each file's sha256. */
    public static void main(String[] args) throws IOException {
        Manifest m = Manifest.fashionMnist();
        Path out = Path.of(args.length > 0 ? args[0] : "workspace/data/fashion-mnist");
        Path source = Path.of(args.length > 1 ? args[1] : m.sourceDirectory());
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(org.apache.arrow.memory.unsafe.UnsafeAllocationManager.FACTORY).build())) {
            Map<String, Path> files = ensure(m, source, out, allocator);
            for (Map.Entry<String, Path> e : files.entrySet()) {
                System.out.println(e.getKey() + " " + e.getValue() + " sha256 " + sha256(e.getValue()));
            }
        }
    }

    /**
     * The split files in {@code dataDir}, converted from {@code sourceDir} first where missing or not matching the
     * manifest's sha256. Fails with a message that says how to install the package when a source file is missing,
     * and names the file when one is corrupt.
     */
    static Map<String, Path> ensure(Manifest m, Path sourceDir, Path dataDir, BufferAllocator allocator)
            throws IOException {
        synchronized (LOCK) {
            Map<String, Path> out = new LinkedHashMap<>();
            for (Map.Entry<String, Manifest.Split> e : m.splits().entrySet()) {
                Manifest.Split s = e.getValue();
                Path file = dataDir.resolve(s.file());
                if (!Files.isRegularFile(file) || !s.sha256().isEmpty() && !s.sha256().equals(sha256(file))) {
                    convert(m, e.getKey(), s, sourceDir, file, allocator);
                }
                out.put(e.getKey(), file);
            }
            return out;
        }
    }

    private static void convert(Manifest m, String split, Manifest.Split s, Path sourceDir, Path target,
                                BufferAllocator allocator) throws IOException {
        Path images = checkedSource(m, sourceDir, s.images());
        Path labels = checkedSource(m, sourceDir, s.labels());
        Idx.Array x = Idx.readGz(images, 3);
        Idx.Array y = Idx.readGz(labels, 1);
        int n = s.examples();
        if (x.dims()[0] != n || x.dims()[1] != 28 || x.dims()[2] != 28) {
            throw new IOException(images + ": expected " + n + " images of 28x28, found " + x.dims()[0] + " of "
                    + x.dims()[1] + "x" + x.dims()[2]);
        }
        if (y.dims()[0] != n) {
            throw new IOException(labels + ": expected " + n + " labels, found " + y.dims()[0]);
        }
        Files.createDirectories(target.getParent());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            Tensor xt = Tensor.allocate(allocator, DType.UINT8, n, 1, 28, 28);
            tensors.put("x", xt);
            xt.buffer().setBytes(0, x.values());
            Tensor lt = Tensor.allocate(allocator, DType.INT32, n);
            tensors.put("label", lt);
            for (int i = 0; i < n; i++) {
                int c = y.values()[i] & 0xff;
                if (c >= m.classes().size()) {
                    throw new IOException(labels + ": label " + c + " at " + i + " is not one of the "
                            + m.classes().size() + " classes");
                }
                lt.buffer().setInt(4L * i, c);
            }
            ArrowIpc.write(target, tensors);
        } finally {
            tensors.values().forEach(Tensor::close);
        }
        String got = sha256(target);
        if (!s.sha256().isEmpty() && !s.sha256().equals(got)) {
            Files.deleteIfExists(target);
            throw new IOException("converting split '" + split + "' gave " + target + " with sha256 " + got
                    + ", but the manifest expects " + s.sha256() + "; the packaged files or the converter changed");
        }
    }

    private static Path checkedSource(Manifest m, Path sourceDir, String name) throws IOException {
        Path file = sourceDir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "the " + m.name() + " source file is missing;"
                    + " install it with: " + m.install() + " (Debian package " + m.sourcePackage() + ")");
        }
        String expected = m.sourceSha256().get(name);
        String got = sha256(file);
        if (expected != null && !expected.equals(got)) {
            throw new IOException(file + " is corrupt (sha256 " + got + ", expected " + expected
                    + "); reinstall it with: apt-get install --reinstall " + m.sourcePackage());
        }
        return file;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                digest.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
