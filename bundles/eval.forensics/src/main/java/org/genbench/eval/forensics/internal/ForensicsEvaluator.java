package org.genbench.eval.forensics.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.ArrowIpc;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.osgi.service.component.annotations.Component;

/**
 * Forensics: can a classifier tell a generator's images from real ones, and does a detector trained on one generator
 * catch another? For every generator (this run's samplers, plus samples of other runs named in {@code generators})
 * a detector is trained on that generator's images against real training images, then tested on held-out images of
 * every generator against held-out real test images. The cross-generator table (rows: trained on, columns: tested
 * on; accuracy and average precision) is written to this component's output directory as {@code cross_generator.md},
 * {@code .csv} and {@code .json}, and each cell is also a metric {@code <trained>-><tested>/accuracy}.
 *
 * <p>Other runs' samples are named by {@code run:<spec name>/<sampler>} (the newest completed run of that name in
 * this workspace) or by the path of an Arrow IPC samples file; so {@code genbench run vae.json gan.json}, where
 * gan.json's forensics names {@code run:vae/ancestral}, makes the VAE-vs-GAN table in one command.
 */
@Component(service = Evaluator.class)
public final class ForensicsEvaluator implements Evaluator<ForensicsEvaluator.Config> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param generators other generators' samples: name to {@code run:<spec name>/<sampler>} or an Arrow IPC file
     *     (relative paths from the workspace); default none
     * @param train generated (and as many real) training images per detector, 10..1000000 (default 5000)
     * @param test held-out generated (and as many real) images per tested generator, 10..1000000 (default 2000)
     * @param hidden the detector's hidden units, 1..100000 (default 256)
     * @param epochs detector training epochs, 1..1000 (default 5)
     * @param self what to call this run's generator in the table (e.g. {@code gan}); with several samplers each is
     *     {@code <self>/<sampler>}; default: the sampler ids
     */
    public record Config(Map<String, String> generators, Integer train, Integer test, Integer hidden, Integer epochs,
                         String self) {
        public Config {
            generators = generators == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(generators));
            for (Map.Entry<String, String> g : generators.entrySet()) {
                if (g.getKey().isBlank() || g.getValue() == null || g.getValue().isBlank()) {
                    throw new IllegalArgumentException("generators must map names to 'run:<name>/<sampler>' or a"
                            + " samples file, got '" + g.getKey() + "' -> '" + g.getValue() + "'");
                }
            }
            train = train == null ? 5000 : train;
            if (train < 10 || train > 1_000_000) {
                throw new IllegalArgumentException("train must be in 10..1000000, was " + train);
            }
            test = test == null ? 2000 : test;
            if (test < 10 || test > 1_000_000) {
                throw new IllegalArgumentException("test must be in 10..1000000, was " + test);
            }
            hidden = hidden == null ? 256 : hidden;
            if (hidden < 1 || hidden > 100_000) {
                throw new IllegalArgumentException("hidden must be in 1..100000, was " + hidden);
            }
            epochs = epochs == null ? 5 : epochs;
            if (epochs < 1 || epochs > 1000) {
                throw new IllegalArgumentException("epochs must be in 1..1000, was " + epochs);
            }
            if (self != null && self.isBlank()) {
                throw new IllegalArgumentException("self must name this run's generator, was blank");
            }
        }
    }

    public ForensicsEvaluator() {
    }

    @Override
    public String name() {
        return "forensics";
    }

    @Override
    public String description() {
        return "Real-vs-generated detector per generator, tested across generators: accuracy and average precision";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.none();
    }

    /** A generator's images split into training and held-out parts, flattened to [n, d] float32 in [0, 1]. */
    record Images(String source, INDArray train, INDArray test) {
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
            RunContext context) {
        int n = config.train();
        int m = config.test();
        INDArray realTrain = rows(data.split("train").x(), 0, n, "split 'train' of " + data.info().name());
        INDArray realTest = rows(data.split("test").x(), 0, m, "split 'test' of " + data.info().name());
        Map<String, Images> generators = new LinkedHashMap<>();
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            String name = config.self() == null ? e.getKey()
                    : samples.size() == 1 ? config.self() : config.self() + "/" + e.getKey();
            generators.put(name, split("sampler '" + e.getKey() + "' of this run", e.getValue().samples(), n, m));
        }
        Path workspace = workspace(context);
        for (Map.Entry<String, String> e : config.generators().entrySet()) {
            if (generators.containsKey(e.getKey())) {
                throw new IllegalArgumentException("generator name '" + e.getKey() + "' is also a sampler of this run");
            }
            Path file = resolve(e.getValue(), workspace);
            try (Tensor x = readSamples(file, context)) {
                generators.put(e.getKey(), split(e.getValue() + " (" + file + ")", x, n, m));
            }
        }
        if (generators.isEmpty()) {
            throw new IllegalArgumentException("forensics has no generator: the run has no sampler and 'generators' is"
                    + " empty");
        }
        long d = realTrain.columns();
        for (Map.Entry<String, Images> g : generators.entrySet()) {
            if (g.getValue().train().columns() != d) {
                throw new IllegalArgumentException("generator '" + g.getKey() + "' has " + g.getValue().train().columns()
                        + " values per image, the real images " + d);
            }
        }

        Rng rng = context.rng();
        List<Cell> cells = new ArrayList<>();
        Map<String, String> detectors = new LinkedHashMap<>();
        int done = 0;
        for (Map.Entry<String, Images> trained : generators.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("forensics cancelled before training on '" + trained.getKey() + "'");
            }
            Detector detector = Detector.train(realTrain, trained.getValue().train(), config.hidden(), config.epochs(),
                    128, rng.split("detector/" + trained.getKey()));
            detectors.put(trained.getKey(), detector.description());
            double[] realScores = detector.score(realTest);
            for (Map.Entry<String, Images> tested : generators.entrySet()) {
                double[] genScores = detector.score(tested.getValue().test());
                double[] scores = new double[realScores.length + genScores.length];
                int[] labels = new int[scores.length];
                System.arraycopy(realScores, 0, scores, 0, realScores.length);
                System.arraycopy(genScores, 0, scores, realScores.length, genScores.length);
                Arrays.fill(labels, realScores.length, labels.length, 1);
                cells.add(new Cell(trained.getKey(), tested.getKey(), Scores.accuracy(scores, labels, 0.5),
                        Scores.averagePrecision(scores, labels)));
            }
            context.progress(++done, generators.size());
        }

        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("n_train_real", n);
        protocol.put("n_train_generated", n);
        protocol.put("n_test_real", m);
        protocol.put("n_test_generated", m);
        protocol.put("detector", "MLP, one hidden ReLU layer of " + config.hidden() + ", " + config.epochs() + " epochs");
        protocol.put("preprocessing", "flattened; uint8 and values above 1 divided by 255");
        protocol.put("accuracy_threshold", 0.5);
        protocol.put("positive_class", "generated");
        Map<String, String> sources = new LinkedHashMap<>();
        generators.forEach((k, v) -> sources.put(k, v.source()));
        protocol.put("generators", sources);
        List<Metric> metrics = new ArrayList<>();
        for (Cell c : cells) {
            Map<String, Object> p = new LinkedHashMap<>(protocol);
            p.put("trained_on", c.trained());
            p.put("tested_on", c.tested());
            metrics.add(new Metric(c.trained() + "->" + c.tested() + "/accuracy", c.accuracy(), "forensics", p));
            metrics.add(new Metric(c.trained() + "->" + c.tested() + "/average_precision", c.averagePrecision(),
                    "forensics", p));
        }
        write(context, new ArrayList<>(generators.keySet()), cells, protocol, detectors);
        return metrics;
    }

    record Cell(String trained, String tested, double accuracy, double averagePrecision) {
    }

    /** runs/<id>/outputs/<component>/ is the context's output directory; the workspace is three levels above runs/<id>. */
    private static Path workspace(RunContext context) {
        try {
            Path out = context.outputDirectory().toAbsolutePath();
            Path runs = out.getParent() == null || out.getParent().getParent() == null ? null
                    : out.getParent().getParent().getParent();
            return runs != null && runs.getParent() != null ? runs.getParent() : Path.of("").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code run:<name>/<sampler>}: the newest completed run named {@code name}; otherwise a file path. */
    static Path resolve(String source, Path workspace) {
        if (!source.startsWith("run:")) {
            Path p = Path.of(source);
            return p.isAbsolute() ? p : workspace.resolve(p);
        }
        String ref = source.substring(4);
        int slash = ref.lastIndexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new IllegalArgumentException("'" + source + "' must be run:<spec name>/<sampler>");
        }
        String name = ref.substring(0, slash);
        String sampler = ref.substring(slash + 1);
        Path runs = workspace.resolve("runs");
        try (Stream<Path> dirs = Files.isDirectory(runs) ? Files.list(runs) : Stream.empty()) {
            // Run directories are <utc time>-<name>[-n]: sorting by name sorts by start time.
            Path run = dirs.filter(d -> completedRunNamed(d, name)).max(Comparator.comparing(d -> d.getFileName().toString()))
                    .orElseThrow(() -> new IllegalArgumentException("no completed run named '" + name + "' in " + runs
                            + " for generator source '" + source + "'"));
            Path file = run.resolve("samples").resolve(sampler + ".arrow");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("run " + run.getFileName() + " has no samples of sampler '" + sampler
                        + "' (" + file + ")");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runs, e);
        }
    }

    private static boolean completedRunNamed(Path dir, String name) {
        Path runJson = dir.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            return false;
        }
        try {
            var run = JSON.readTree(runJson.toFile());
            return name.equals(run.path("name").asText()) && "completed".equals(run.path("status").asText());
        } catch (IOException e) {
            return false;
        }
    }

    private static Tensor readSamples(Path file, RunContext context) {
        try {
            Map<String, Tensor> tensors = ArrowIpc.read(file, context.allocator());
            Tensor x = tensors.get("x");
            tensors.forEach((k, t) -> {
                if (!k.equals("x")) {
                    t.close();
                }
            });
            if (x == null) {
                throw new IllegalArgumentException(file + " has no column 'x'; columns: " + tensors.keySet());
            }
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read samples " + file, e);
        }
    }

    /** The first {@code n} rows for training and the next {@code m} for testing, kept apart. */
    private static Images split(String source, Tensor x, int n, int m) {
        if (x.rows() < (long) n + m) {
            throw new IllegalArgumentException(source + " has " + x.rows() + " images; forensics needs train + test = "
                    + (n + m));
        }
        return new Images(source, rows(x, 0, n, source), rows(x, n, m, source));
    }

    /** Rows [start, start + count) flattened to float32 [count, d], scaled to [0, 1]: a copy that outlives x. */
    static INDArray rows(Tensor x, long start, long count, String what) {
        if (x.rows() < start + count) {
            throw new IllegalArgumentException(what + " has " + x.rows() + " images; forensics needs " + (start + count));
        }
        try (Tensor slice = x.slice(start, count)) {
            INDArray a = Nd4jArrow.view(slice).reshape('c', count, x.rowSize()).castTo(DataType.FLOAT).dup('c');
            if (x.dtype() == DType.UINT8 || a.maxNumber().doubleValue() > 1.0) {
                a.divi(255.0);
            }
            return a;
        }
    }

    private static void write(RunContext context, List<String> names, List<Cell> cells, Map<String, Object> protocol,
            Map<String, String> detectors) {
        StringBuilder csv = new StringBuilder("trained_on,tested_on,accuracy,average_precision\n");
        for (Cell c : cells) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f%n", c.trained(), c.tested(), c.accuracy(),
                    c.averagePrecision()));
        }
        StringBuilder md = new StringBuilder("# Cross-generator forensics\n\nRows: the generator the detector was trained"
                + " on. Columns: the generator its held-out test images came from (against held-out real images).\n");
        for (String measure : new String[] {"accuracy", "average precision"}) {
            md.append("\n## ").append(measure).append("\n\n| trained on \\ tested on |");
            names.forEach(t -> md.append(' ').append(t).append(" |"));
            md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
            for (String trained : names) {
                md.append("| ").append(trained).append(" |");
                for (String tested : names) {
                    Cell c = cells.stream().filter(x -> x.trained().equals(trained) && x.tested().equals(tested))
                            .findFirst().orElseThrow();
                    md.append(String.format(Locale.ROOT, " %.4f |", measure.equals("accuracy") ? c.accuracy()
                            : c.averagePrecision()));
                }
                md.append('\n');
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("generators", names);
        json.put("cells", cells);
        json.put("protocol", protocol);
        json.put("detectors", detectors);
        try {
            Path dir = context.outputDirectory();
            writeAtomically(dir.resolve("cross_generator.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
            writeAtomically(dir.resolve("cross_generator.md"), md.toString().getBytes(StandardCharsets.UTF_8));
            writeAtomically(dir.resolve("cross_generator.json"), JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cross-generator table", e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
