package org.genbench.data.arrow.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
 * A dataset from an Apache Arrow IPC file: what genbench itself writes (a tensor column {@code x}, fixed-size lists
 * with the shape in the field's metadata, and {@code label}), or a table of plain numeric columns as pandas or
 * pyarrow write it (Feather v2 is this format; write it uncompressed). The file's sha256 is the checksum.
 */
@Component(service = DatasetProvider.class)
public final class ArrowDataset implements DatasetProvider<ArrowDataset.Config> {
    public static final String NAME = "arrow";
    static final List<String> DTYPES = List.of("auto", "float32", "float64");

    /**
     * @param path         one file, split into train and test by {@code testFraction}; relative to the workspace
     *                     unless absolute
     * @param train        the training file (with {@code test}, instead of {@code path})
     * @param test         the test file
     * @param testFraction the share of rows drawn into test, in (0, 1); default 0.2
     * @param columns      the feature columns (numbers, or fixed-size lists of numbers), concatenated per row;
     *                     default {@code x} when the file has it, else every numeric column but the label
     * @param label        the label column (integers or strings); default {@code label} when the file has one and
     *                     {@code columns} is not given, else none
     * @param shape        the shape of one example; default the shape recorded in the file, else [features]
     * @param dtype        {@code auto} (default: float64 when every feature column is float64, else float32),
     *                     {@code float32} or {@code float64}
     * @param kind         {@code continuous} (default), {@code binary} or {@code discrete}
     */
    public record Config(String path, String train, String test, Double testFraction, List<String> columns,
                         String label, List<Integer> shape, String dtype, String kind) {
        public Config {
            testFraction = Sources.check(path, train, test, testFraction);
            if (columns != null) {
                if (columns.isEmpty() || columns.stream().anyMatch(c -> c == null || c.isBlank())) {
                    throw new IllegalArgumentException("columns must name at least one column, each non-empty, was "
                            + columns);
                }
                columns = List.copyOf(columns);
            }
            if (label != null && label.isBlank()) {
                throw new IllegalArgumentException("label must name a column, was empty");
            }
            FileDatasets.shape(shape);
            shape = shape == null ? null : List.copyOf(shape);
            dtype = dtype == null ? "auto" : dtype;
            kind = kind == null ? DataInfo.CONTINUOUS : kind;
            if (!DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("dtype must be one of " + DTYPES + ", was '" + dtype + "'");
            }
            if (!FileDatasets.KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind must be one of " + FileDatasets.KINDS + ", was '" + kind + "'");
            }
        }

        public static Config of(String path) {
            return new Config(path, null, null, null, null, null, null, null, null);
        }
    }

    private volatile Path workspace = DataFiles.workspace(null);

    public ArrowDataset() {
    }

    ArrowDataset(Path workspace) {
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
        return "Your own Apache Arrow IPC / Feather v2 file(s): genbench tensor columns or plain numeric columns";
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
        ArrowTable train = null;
        ArrowTable test = null;
        Tensor trainLabels = null;
        Tensor testLabels = null;
        try {
            train = ArrowTable.read(first, config.columns(), config.label(), config.dtype(), allocator);
            if (sources.presplit()) {
                test = ArrowTable.read(sources.test(), config.columns(), config.label(), config.dtype(), allocator);
                if (test.x.rowSize() != train.x.rowSize() || test.x.dtype() != train.x.dtype()) {
                    throw new DataFileException(sources.test() + ": " + test.x.rowSize() + " " + test.x.dtype()
                            + " values per row, but the training file has " + train.x.rowSize() + " " + train.x.dtype());
                }
            }
            Labels labels = null;
            if (train.labels != null) {
                labels = Labels.encode(train.labels, test == null ? null : test.labels, first.toString());
                trainLabels = ints(labels.train(), allocator);
                if (test != null) {
                    testLabels = ints(labels.test(), allocator);
                }
            }
            long[] shape = config.shape() != null ? FileDatasets.shape(config.shape()) : train.recordedShape;
            String dtype = train.x.dtype() == DType.FLOAT64 ? "float64" : "float32";
            FileDatasets.Meta meta = new FileDatasets.Meta(first.getFileName().toString(), shape, dtype, config.kind(),
                    labels == null ? 0 : labels.numClasses(), sources.checksum());
            FileDatasets.Part tp = new FileDatasets.Part(train.x, trainLabels, first.toString());
            FileDatasets.Part sp = test == null ? null : new FileDatasets.Part(test.x, testLabels, sources.test().toString());
            train = null;
            test = null;
            trainLabels = null;
            testLabels = null;
            return FileDatasets.assemble(meta, tp, sp, config.testFraction() == null ? 0 : config.testFraction(),
                    context.rng(), allocator);
        } finally {
            for (Tensor t : new Tensor[] {train == null ? null : train.x, test == null ? null : test.x, trainLabels,
                    testLabels}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static Tensor ints(int[] values, BufferAllocator allocator) {
        Tensor t = Tensor.allocate(allocator, DType.INT32, values.length);
        for (int i = 0; i < values.length; i++) {
            t.buffer().setInt(4L * i, values[i]);
        }
        return t;
    }
}
