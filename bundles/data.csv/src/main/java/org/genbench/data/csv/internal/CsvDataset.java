package org.genbench.data.csv.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.RunContext;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.dataio.DataFileException;
import org.genbench.dataio.DataFiles;
import org.genbench.dataio.FileDatasets;
import org.genbench.dataio.Labels;
import org.genbench.dataio.Sources;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * A dataset from a CSV or TSV file (or a train and a test file): numeric feature columns become {@code x}
 * ({@code [n, features]}, or {@code [n, ...shape]}), an optional label column {@code label}. The file's sha256 is
 * the dataset's checksum in {@code provenance.json}.
 */
@Component(service = DatasetProvider.class)
public final class CsvDataset implements DatasetProvider<CsvDataset.Config> {
    public static final String NAME = "csv";

    /**
     * @param path         one file, split into train and test by {@code testFraction}; relative to the workspace
     *                     unless absolute
     * @param train        the training file (with {@code test}, instead of {@code path})
     * @param test         the test file
     * @param testFraction the share of {@code path}'s rows drawn (with the dataset's seeded stream) into test, in
     *                     (0, 1); default 0.2
     * @param delimiter    one character, or {@code tab}; default tab for {@code .tsv}/{@code .tab} files, else comma
     * @param header       whether the first row names the columns (default true)
     * @param columns      the feature columns, by header name or 0-based index; default every column but the label
     * @param label        the label column, by name or index; default none (unlabelled data)
     * @param shape        the shape of one example, e.g. [1, 28, 28] for 784 pixel columns; default [features]
     * @param dtype        {@code float64} (default) or {@code float32}
     * @param kind         {@code continuous} (default), {@code binary} (only 0 and 1) or {@code discrete}
     *                     (non-negative integers)
     */
    public record Config(String path, String train, String test, Double testFraction, String delimiter, Boolean header,
                         List<Object> columns, Object label, List<Integer> shape, String dtype, String kind) {
        public Config {
            testFraction = Sources.check(path, train, test, testFraction);
            if (delimiter != null && !delimiter.equals("tab") && delimiter.length() != 1) {
                throw new IllegalArgumentException("delimiter must be one character or 'tab', was '" + delimiter + "'");
            }
            if (delimiter != null && (delimiter.equals("\"") || delimiter.equals("\n") || delimiter.equals("\r"))) {
                throw new IllegalArgumentException("delimiter cannot be a quote or a line break");
            }
            header = header == null ? Boolean.TRUE : header;
            if (columns != null) {
                if (columns.isEmpty()) {
                    throw new IllegalArgumentException("columns must name at least one column (or be left out for all)");
                }
                for (int i = 0; i < columns.size(); i++) {
                    checkColumnRef("columns[" + i + "]", columns.get(i), header);
                }
                columns = List.copyOf(columns);
            }
            if (label != null) {
                checkColumnRef("label", label, header);
            }
            FileDatasets.shape(shape);
            shape = shape == null ? null : List.copyOf(shape);
            dtype = dtype == null ? "float64" : dtype;
            kind = kind == null ? DataInfo.CONTINUOUS : kind;
            if (!FileDatasets.DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("dtype must be one of " + FileDatasets.DTYPES + ", was '" + dtype + "'");
            }
            if (!FileDatasets.KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind must be one of " + FileDatasets.KINDS + ", was '" + kind + "'");
            }
        }

        /** One file with a header, every column a feature, the rest defaults. */
        public static Config of(String path) {
            return new Config(path, null, null, null, null, null, null, null, null, null, null);
        }

        private static void checkColumnRef(String field, Object ref, boolean header) {
            if (ref instanceof Integer i) {
                if (i < 0) {
                    throw new IllegalArgumentException(field + " must be a column name or a 0-based index >= 0, was " + i);
                }
            } else if (ref instanceof String s) {
                if (s.isBlank()) {
                    throw new IllegalArgumentException(field + " must not be empty");
                }
                if (!header) {
                    throw new IllegalArgumentException(field + " names column '" + s + "', but header is false: name"
                            + " columns by their 0-based index");
                }
            } else {
                throw new IllegalArgumentException(field + " must be a column name (text) or a 0-based index (integer),"
                        + " was " + ref);
            }
        }

        char delimiterFor(Path file) {
            if (delimiter == null) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.endsWith(".tsv") || name.endsWith(".tab") ? '\t' : ',';
            }
            return delimiter.equals("tab") ? '\t' : delimiter.charAt(0);
        }
    }

    private volatile Path workspace = DataFiles.workspace(null);

    public CsvDataset() {
    }

    /** For tests and embedding: paths resolve against {@code workspace}. */
    CsvDataset(Path workspace) {
        this.workspace = workspace;
    }

    @Activate
    void activate(BundleContext context) {
        workspace = DataFiles.workspace(context.getProperty(DataFiles.WORKSPACE_PROPERTY));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Your own CSV or TSV file(s): header, column selection, label column, seeded train/test split";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Dataset open(Config config, RunContext context) throws IOException {
        Sources sources = Sources.resolve(workspace, config.path(), config.train(), config.test(), false);
        BufferAllocator allocator = context.allocator();
        Path first = sources.presplit() ? sources.train() : sources.single();
        CsvTable train = CsvTable.read(first, config.delimiterFor(first), config.header(), config.columns(),
                config.label());
        CsvTable test = null;
        if (sources.presplit()) {
            test = CsvTable.read(sources.test(), config.delimiterFor(sources.test()), config.header(), config.columns(),
                    config.label());
            if (test.width != train.width) {
                throw new DataFileException(sources.test() + ": " + test.width + " feature columns, but the training"
                        + " file " + sources.train() + " has " + train.width);
            }
        }
        Labels labels = config.label() == null ? null
                : Labels.encode(train.labels, test == null ? null : test.labels, first.toString());
        FileDatasets.Meta meta = new FileDatasets.Meta(first.getFileName().toString(),
                FileDatasets.shape(config.shape()), config.dtype(), config.kind(),
                labels == null ? 0 : labels.numClasses(), sources.checksum());
        FileDatasets.Part trainPart = null;
        FileDatasets.Part testPart = null;
        try {
            trainPart = part(train, labels == null ? null : labels.train(), allocator);
            if (test != null) {
                testPart = part(test, labels == null ? null : labels.test(), allocator);
            }
        } catch (RuntimeException e) {
            close(trainPart);
            close(testPart);
            throw e;
        }
        return FileDatasets.assemble(meta, trainPart, testPart,
                config.testFraction() == null ? 0 : config.testFraction(), context.rng(), allocator);
    }

    private static FileDatasets.Part part(CsvTable t, int[] labels, BufferAllocator allocator) {
        Tensor x = Tensor.allocate(allocator, DType.FLOAT64, t.rows, t.width);
        Tensor y = null;
        try {
            for (int i = 0; i < t.values.length; i++) {
                x.buffer().setDouble(8L * i, t.values[i]);
            }
            if (labels != null) {
                y = Tensor.allocate(allocator, DType.INT32, t.rows);
                for (int i = 0; i < labels.length; i++) {
                    y.buffer().setInt(4L * i, labels[i]);
                }
            }
            return new FileDatasets.Part(x, y, t.file.toString());
        } catch (RuntimeException e) {
            x.close();
            if (y != null) {
                y.close();
            }
            throw e;
        }
    }

    private static void close(FileDatasets.Part p) {
        if (p != null) {
            p.x().close();
            if (p.label() != null) {
                p.label().close();
            }
        }
    }
}
