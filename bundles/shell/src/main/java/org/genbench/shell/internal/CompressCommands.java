package org.genbench.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.genbench.api.DataInfo;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.tensor.Tensor;
import org.genbench.coding.Baselines;
import org.genbench.coding.Codec;
import org.genbench.coding.CompressedFile;
import org.genbench.tensor.ArrowIpc;
import org.genbench.workbench.CompositionException;
import org.genbench.workbench.OpenedRun;
import org.genbench.workbench.SpecException;
import org.genbench.workbench.Workbench;

/**
 * {@code genbench compress RUN} and {@code genbench decompress FILE}: a run's trained exact-likelihood model codes
 * its data into a {@code .gbz} file and back (rANS over the model's conditionals, see the coding library). The file
 * names the run and the sha256 of its checkpoint, so decompress finds the model and refuses another one.
 */
final class CompressCommands {
    private final Workbench workbench;

    CompressCommands(Workbench workbench) {
        this.workbench = workbench;
    }

    static final String COMPRESS_USAGE = "usage: compress RUN [--split test] [--examples N] [--batch B] [--out FILE.gbz]";
    static final String DECOMPRESS_USAGE = "usage: decompress FILE.gbz [--run RUN] [--out FILE.arrow]";

    /** Parses {@code --name value} pairs after the positional argument; null (with the reason printed) if bad. */
    private static Map<String, String> options(List<String> args, List<String> known, PrintStream err, String usage) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.size()) {
                err.println("unknown or incomplete option '" + a + "'; " + usage);
                return null;
            }
            out.put(a.substring(2), args.get(++i));
        }
        return out;
    }

    int compress(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            err.println("name the run whose model compresses its data; " + COMPRESS_USAGE);
            return 2;
        }
        Map<String, String> o = options(args, List.of("split", "examples", "batch", "out"), err, COMPRESS_USAGE);
        if (o == null) {
            return 2;
        }
        String split = o.getOrDefault("split", "test");
        try (OpenedRun run = workbench.open(args.get(0))) {
            DiscreteConditionals coder = run.model().as(DiscreteConditionals.class).orElse(null);
            if (coder == null) {
                err.println("the model of run " + run.id() + " ('" + run.spec().model().type() + "') has no"
                        + " DiscreteConditionals: compression needs an exact-likelihood model of discrete data; installed"
                        + " models with it: " + modelsWith("DiscreteConditionals"));
                return 1;
            }
            DataInfo info = run.dataset().info();
            Tensor all = run.dataset().split(split).x();
            int n = (int) Math.min(o.containsKey("examples") ? Long.parseLong(o.get("examples")) : all.rows(), all.rows());
            int levels = coder.levels();
            int batch = o.containsKey("batch") ? Integer.parseInt(o.get("batch")) : Codec.defaultBatch(info.dimension(), levels);
            Path file = Path.of(o.getOrDefault("out", run.id() + "-" + split + ".gbz"));
            long started = System.nanoTime();
            Codec.Encoded enc;
            int[] symbols;
            try (Tensor x = all.slice(0, n)) {
                symbols = Codec.symbols(x, levels);
                enc = Codec.encode(coder, x, batch);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("run", run.id());
            model.put("family", run.spec().model().type());
            model.put("checkpoint_sha256", checkpointSha256(run.directory().resolve("checkpoint")));
            model.put("dataset", info.name());
            model.put("dataset_sha256", info.checksum());
            model.put("split", split);
            long size = CompressedFile.write(file, CompressedFile.header(enc, info.sampleShape(), levels, batch, model),
                    enc.stream());
            double dims = (double) n * info.dimension();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"", "bytes", "bits/dim"});
            rows.add(row("-log2 p (model)", enc.modelBits() / 8, enc.modelBits() / dims));
            rows.add(row("rANS stream", enc.stream().length, 8.0 * enc.stream().length / dims));
            rows.add(row("file (with header)", size, 8.0 * size / dims));
            if (levels <= 256) {
                long gz = Baselines.gzipBytes(symbols, levels);
                rows.add(row("gzip -9", gz, 8.0 * gz / dims));
                long[] shape = info.sampleShape();
                if (shape.length >= 2 && shape[shape.length - 1] * shape[shape.length - 2] == info.dimension()) {
                    long png = Baselines.pngBytes(symbols, levels, n, (int) shape[shape.length - 2],
                            (int) shape[shape.length - 1]);
                    rows.add(row("PNG strip", png, 8.0 * png / dims));
                }
            }
            out.printf(Locale.ROOT, "%s: %d examples of split '%s' of %s coded by run %s in %.1f s%n", file, n, split,
                    info.name(), run.id(), seconds);
            GenbenchCommands.table(rows, out);
            return 0;
        } catch (IOException | SpecException | IllegalArgumentException | IllegalStateException e) {
            err.println("cannot compress: " + e.getMessage());
            return 1;
        } catch (CompositionException e) {
            err.println("cannot reopen run " + args.get(0) + ":");
            e.problems().forEach(p -> err.println("  - " + p));
            return 1;
        }
    }

    int decompress(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            err.println("name the .gbz file; " + DECOMPRESS_USAGE);
            return 2;
        }
        Map<String, String> o = options(args, List.of("run", "out"), err, DECOMPRESS_USAGE);
        if (o == null) {
            return 2;
        }
        Path file = Path.of(args.get(0));
        try {
            CompressedFile.Contents c = CompressedFile.read(file);
            @SuppressWarnings("unchecked")
            Map<String, Object> model = (Map<String, Object>) c.header().get("model");
            String runId = o.getOrDefault("run", model == null ? null : (String) model.get("run"));
            if (runId == null) {
                err.println(file + " does not name the run that coded it; give --run RUN");
                return 2;
            }
            String name = file.getFileName().toString().replaceFirst("\\.gbz$", "");
            Path target = Path.of(o.getOrDefault("out", file.resolveSibling(name + ".arrow").toString()));
            try (OpenedRun run = workbench.open(runId)) {
                String expected = model == null ? null : (String) model.get("checkpoint_sha256");
                String actual = checkpointSha256(run.directory().resolve("checkpoint"));
                if (expected != null && !expected.equals(actual)) {
                    err.println("run " + run.id() + "'s checkpoint (sha256 " + actual + ") is not the one that coded "
                            + file + " (" + expected + ")");
                    return 1;
                }
                DiscreteConditionals coder = run.model().as(DiscreteConditionals.class).orElseThrow(() ->
                        new IllegalArgumentException("the model of run " + run.id() + " has no DiscreteConditionals"));
                long started = System.nanoTime();
                try (Tensor x = Codec.decode(coder, c.stream(), c.examples(), c.shape(), c.batch(), run.allocator())) {
                    double seconds = (System.nanoTime() - started) / 1e9;
                    String sha = Codec.sha256(x, c.levels());
                    if (!sha.equals(c.string("symbols_sha256"))) {
                        err.println("decoded values do not match the file's sha256 (" + sha + " vs "
                                + c.string("symbols_sha256") + ")");
                        return 1;
                    }
                    ArrowIpc.write(target, Map.of("x", x));
                    out.printf(Locale.ROOT, "%s: %d examples decoded with run %s in %.1f s, sha256 of the values %s"
                            + " as recorded; written to %s%n", file, c.examples(), run.id(), seconds, sha, target);
                }
            }
            return 0;
        } catch (IOException | SpecException | IllegalArgumentException | IllegalStateException e) {
            err.println("cannot decompress: " + e.getMessage());
            return 1;
        } catch (CompositionException e) {
            err.println("cannot reopen the run:");
            e.problems().forEach(p -> err.println("  - " + p));
            return 1;
        }
    }

    private String modelsWith(String capability) {
        List<String> names = workbench.components().stream()
                .filter(c -> c.role().equals("model") && c.capabilities().contains(capability))
                .map(c -> c.name()).toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static String[] row(String what, double bytes, double bitsPerDim) {
        return new String[] {what, String.format(Locale.ROOT, "%.0f", bytes),
                String.format(Locale.ROOT, "%.4f", bitsPerDim)};
    }

    /** sha256 over the checkpoint's files in name order (each file's relative name, then its bytes). */
    static String checkpointSha256(Path dir) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    digest.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    try (InputStream in = Files.newInputStream(f)) {
                        byte[] buf = new byte[1 << 16];
                        for (int r = in.read(buf); r > 0; r = in.read(buf)) {
                            digest.update(buf, 0, r);
                        }
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
