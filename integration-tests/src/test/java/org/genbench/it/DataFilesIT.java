package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.imageio.ImageIO;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file datasets inside the real framework with the default features: each is installed, reads its file from
 * the workspace, and records the file's sha256 in provenance.json.
 */
class DataFilesIT {
    static final String SPEC = """
            {"name": "NAME", "seed": 3,
             "dataset": {"type": "TYPE", "config": {"path": "PATH"}},
             "model": {"type": "gmm", "config": {"components": 2}},
             "trainer": {"type": "em", "config": {"maxIterations": 20}},
             "evaluators": [{"type": "loglik"}]}""";

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace);
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void everyFileDatasetIsInstalledByDefault() throws Exception {
        TestHost.Result list = host.exec("list");
        assertEquals(0, list.status(), list::toString);
        for (String[] d : new String[][] {{"csv", "org.genbench.data.csv"}, {"arrow", "org.genbench.data.arrow"},
                {"numpy", "org.genbench.data.numpy"}, {"images", "org.genbench.data.images"}}) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith("dataset") && l.contains(" " + d[0] + " ")
                    && l.contains(d[1])), d[0] + " in:\n" + list.out());
        }
    }

    /** Two clusters of 2-D points, as rows. */
    private static double[] points(int n) {
        SplittableRandom rng = new SplittableRandom(9);
        double[] v = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double c = i % 2 == 0 ? -3 : 3;
            v[2 * i] = c + rng.nextGaussian();
            v[2 * i + 1] = rng.nextGaussian();
        }
        return v;
    }

    @Test
    void aGmmFitsANumpyFileAndProvenanceHoldsItsSha256() throws Exception {
        double[] v = points(200);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (200, 2), }";
        String header = dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n";
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(new byte[] {(byte) header.length(), (byte) (header.length() >> 8)});
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        out.write(b.array());
        Path file = Files.createDirectories(workspace.resolve("data")).resolve("points.npy");
        Files.write(file, out.toByteArray());
        assertRunsWithChecksum("numpy-points", "numpy", "data/points.npy", file);
    }

    @Test
    void aGmmFitsAnArrowFileAndProvenanceHoldsItsSha256() throws Exception {
        double[] v = points(200);
        Path file = Files.createDirectories(workspace.resolve("data")).resolve("points.arrow");
        // plain float64 columns, as pandas' to_feather writes them (uncompressed)
        try (RootAllocator allocator = new RootAllocator();
             Float8Vector a = new Float8Vector("a", allocator);
             Float8Vector b = new Float8Vector("b", allocator);
             VectorSchemaRoot root = VectorSchemaRoot.of(a, b);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
            a.allocateNew(200);
            b.allocateNew(200);
            for (int i = 0; i < 200; i++) {
                a.set(i, v[2 * i]);
                b.set(i, v[2 * i + 1]);
            }
            root.setRowCount(200);
            w.start();
            w.writeBatch();
            w.end();
        }
        assertRunsWithChecksum("arrow-points", "arrow", file.toString(), file);
    }

    @Test
    void anImageFolderLoadsAndTheModelSaysWhyItCannotTakeImages() throws Exception {
        for (int i = 0; i < 4; i++) {
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setSample(1, 1, 0, 60 * i);
            Path p = Files.createDirectories(workspace.resolve("pics/" + (i % 2 == 0 ? "even" : "odd")))
                    .resolve(i + ".png");
            ImageIO.write(img, "png", p.toFile());
        }
        Path spec = host.spec("pics", SPEC.replace("NAME", "pics").replace("TYPE", "images").replace("PATH", "pics"));
        TestHost.Result r = host.exec("run", spec.toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue((r.out() + r.err()).contains("dataset 'pics' has sample shape [1, 4, 4]"), r::toString);
    }

    private static void assertRunsWithChecksum(String name, String type, String path, Path file) throws Exception {
        Path spec = host.spec(name, SPEC.replace("NAME", name).replace("TYPE", type).replace("PATH", path));
        TestHost.Result r = host.exec("run", spec.toString());
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir(name);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertEquals(sha, TestHost.read(run.resolve("provenance.json")).path("datasetChecksum").asText());
        // Two clusters of unit variance 6 apart: the held-out log-likelihood is near minus the entropy of one
        // 2-D standard normal plus log 2 for the cluster choice (2.84 + 0.69), far above a single Gaussian's.
        double ll = TestHost.metric(run, "loglik", "test_loglik");
        assertEquals(-(Math.log(2 * Math.PI * Math.E) + Math.log(2)), ll, 0.3, name + " test log-likelihood");
    }
}
