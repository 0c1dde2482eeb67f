package org.genbench.data.image.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;

/**
 * The static binarization of a dataset (as Larochelle and Murray 2011 made for MNIST, and as published nats on
 * "binarized MNIST" use): each pixel set to 1 with probability intensity / 255, drawn once with the manifest's seed
 * (split {@code train} and {@code test} streams, pixels in file order), saved beside the prepared files as
 * {@code x} UINT8 0/1 and {@code label} INT32, and checked against the manifest's sha256. So every run, on every
 * machine, scores the same binary images; a changed generator or converter fails loudly instead of moving numbers.
 */
final class FixedBinarization {
    private static final Object LOCK = new Object();

    private FixedBinarization() {
    }

    /**
     * The binarized split files in {@code dataDir}, drawn from the prepared 8-bit {@code prepared} files where missing
     * or not matching the manifest.
     */
    static Map<String, Path> ensure(Manifest m, Map<String, Path> prepared, Path dataDir, BufferAllocator allocator)
            throws IOException {
        Manifest.Binarization b = m.binarization();
        if (b == null) {
            throw new IllegalStateException("the " + m.name() + " manifest has no fixedBinarization section");
        }
        synchronized (LOCK) {
            Map<String, Path> out = new LinkedHashMap<>();
            for (Map.Entry<String, Manifest.Saved> e : b.splits().entrySet()) {
                Manifest.Saved saved = e.getValue();
                Path file = dataDir.resolve(saved.file());
                if (!Files.isRegularFile(file) || !saved.sha256().isEmpty() && !saved.sha256().equals(Prepare.sha256(file))) {
                    Path source = prepared.get(e.getKey());
                    if (source == null) {
                        throw new IllegalStateException("no prepared split '" + e.getKey() + "' to binarize");
                    }
                    draw(source, file, new Rng(b.seed()).split(e.getKey()), allocator);
                    String got = Prepare.sha256(file);
                    if (!saved.sha256().isEmpty() && !saved.sha256().equals(got)) {
                        Files.deleteIfExists(file);
                        throw new IOException("the fixed binarization of split '" + e.getKey() + "' came out with sha256 "
                                + got + ", but the manifest expects " + saved.sha256()
                                + "; the random generator or the prepared files changed");
                    }
                }
                out.put(e.getKey(), file);
            }
            return out;
        }
    }

    /** One Bernoulli(intensity / 255) draw per pixel, in file order, written to a temporary name and renamed. */
    static void draw(Path source, Path target, Rng rng, BufferAllocator allocator) throws IOException {
        Map<String, Tensor> raw = ArrowIpc.read(source, allocator);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            Tensor bytes = raw.get("x");
            Tensor labels = raw.get("label");
            if (bytes == null || labels == null || bytes.dtype() != DType.UINT8) {
                throw new IOException(source + ": expected columns x (UINT8) and label, found " + raw.keySet());
            }
            Tensor x = Tensor.allocate(allocator, DType.UINT8, bytes.shape());
            out.put("x", x);
            out.put("label", labels.retain());
            ArrowBuf in = bytes.buffer();
            ArrowBuf to = x.buffer();
            for (long i = 0; i < bytes.size(); i++) {
                double p = (in.getByte(i) & 0xff) / 255.0;
                to.setByte(i, rng.nextDouble() < p ? 1 : 0);
            }
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            ArrowIpc.write(tmp, out);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            out.values().forEach(Tensor::close);
            raw.values().forEach(Tensor::close);
        }
    }
}
