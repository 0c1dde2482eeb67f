package org.genbench.data.numpy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
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
 * A dataset from NumPy files: a {@code .npy} array with one row per example, or an {@code .npz} archive (plain or
 * compressed) with the examples and optionally the labels as named arrays. The file's sha256 is the checksum.
 */
@Component(service = DatasetProvider.class)
public final class NumpyDataset implements DatasetProvider<NumpyDataset.Config> {
    public static final String NAME = "numpy";
    static final List<String> DTYPES = List.of("auto", "float32", "float64");

    /**
     * @param path         one {@code .npy}/{@code .npz} file, split into train and test by {@code testFraction};
     *                     relative to the workspace unless absolute
     * @param train        the training file (with {@code test}, instead of {@code path})
     * @param test         the test file
     * @param testFraction the share of rows drawn into test, in (0, 1); default 0.2
     * @param x            in an {@code .npz}, the array of examples; default {@code x} if there is one, else the
     *                     only array besides {@code label}
     * @param label        in an {@code .npz}, the array of labels (one integer per example); default none
     * @param shape        the shape of one example; default the array's own (its shape less the first dimension)
     * @param dtype        {@code auto} (default: float64 for float64 arrays, float32 for everything else),
     *                     {@code float32} or {@code float64}
     * @param kind         {@code continuous} (default), {@code binary} or {@code discrete}
     */
    public record Config(String path, String train, String test, Double testFraction, String x, String label,
                         List<Integer> shape, String dtype, String kind) {
        public Config {
            testFraction = Sources.check(path, train, test, testFraction);
            if (x != null && x.isBlank()) {
                throw new IllegalArgumentException("x must name an array, was empty");
            }
            if (label != null && label.isBlank()) {
                throw new IllegalArgumentException("label must name an array, was empty");
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

    public NumpyDataset() {
    }

    NumpyDataset(Path workspace) {
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
        return "Your own NumPy .npy/.npz file(s): C or Fortran order, float/int/uint8/bool; pickled arrays refused";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** What one file held. */
    private record Read(Tensor x, Tensor label, String dtype) {
    }

    @Override
    public Dataset open(Config config, RunContext context) throws IOException {
        Sources sources = Sources.resolve(workspace, config.path(), config.train(), config.test(), false);
        BufferAllocator allocator = context.allocator();
        Path first = sources.presplit() ? sources.train() : sources.single();
        Read train = null;
        Read test = null;
        try {
            train = read(first, config, allocator);
            if (sources.presplit()) {
                test = read(sources.test(), config, allocator);
            }
            Labels labels = null;
            if (train.label() != null) {
                labels = Labels.encode(text(train.label(), first), test == null ? null : text(test.label(), sources.test()),
                        first.toString());
                fill(train.label(), labels.train());
                if (test != null) {
                    fill(test.label(), labels.test());
                }
            }
            String dtype = config.dtype().equals("auto") ? train.dtype() : config.dtype();
            FileDatasets.Meta meta = new FileDatasets.Meta(first.getFileName().toString(),
                    FileDatasets.shape(config.shape()), dtype, config.kind(), labels == null ? 0 : labels.numClasses(),
                    sources.checksum());
            FileDatasets.Part tp = new FileDatasets.Part(train.x(), train.label(), first.toString());
            FileDatasets.Part sp = test == null ? null : new FileDatasets.Part(test.x(), test.label(), sources.test().toString());
            train = null;
            test = null;
            return FileDatasets.assemble(meta, tp, sp, config.testFraction() == null ? 0 : config.testFraction(),
                    context.rng(), allocator);
        } finally {
            close(train);
            close(test);
        }
    }

    private static Read read(Path file, Config config, BufferAllocator allocator) throws IOException {
        String where = file.toString();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            return readNpz(file, config, allocator);
        }
        if (config.x() != null || config.label() != null) {
            throw new DataFileException(where + ": fields 'x' and 'label' name arrays inside an .npz archive; a .npy file"
                    + " holds one array (the examples)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            Npy.Header h = Npy.header(in, where);
            DType target = target(config, h);
            return new Read(Npy.values(in, h, where, target, allocator), null, target == DType.FLOAT64 ? "float64" : "float32");
        }
    }

    private static Read readNpz(Path file, Config config, BufferAllocator allocator) throws IOException {
        String where = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.endsWith(".npy")) {
                    names.add(n.substring(0, n.length() - 4));
                }
            }
            String xName = config.x();
            if (xName == null) {
                List<String> candidates = names.stream().filter(n -> !n.equals(config.label())).toList();
                if (names.contains("x")) {
                    xName = "x";
                } else if (candidates.size() == 1) {
                    xName = candidates.get(0);
                } else {
                    throw new DataFileException(where + ": holds arrays " + names + "; set field 'x' to the one with the"
                            + " examples");
                }
            }
            Tensor x = null;
            Tensor label = null;
            try {
                Npy.Header h = null;
                try (InputStream in = entry(zip, xName, "x", names, where)) {
                    h = Npy.header(in, where + "!" + xName);
                    x = Npy.values(in, h, where + "!" + xName, target(config, h), allocator);
                }
                if (config.label() != null) {
                    try (InputStream in = entry(zip, config.label(), "label", names, where)) {
                        Npy.Header lh = Npy.header(in, where + "!" + config.label());
                        if (lh.shape().length == 0 || lh.shape().length > 2
                                || lh.shape().length == 2 && lh.shape()[1] != 1) {
                            throw new DataFileException(where + "!" + config.label() + ": labels must be one per example"
                                    + " (shape [n] or [n, 1]), the array is shaped " + java.util.Arrays.toString(lh.shape()));
                        }
                        Tensor raw = Npy.values(in, lh, where + "!" + config.label(), DType.FLOAT64, allocator);
                        label = raw.reshape(raw.rows());
                        raw.close();
                    }
                }
                Read r = new Read(x, label, x.dtype() == DType.FLOAT64 ? "float64" : "float32");
                x = null;
                label = null;
                return r;
            } finally {
                if (x != null) {
                    x.close();
                }
                if (label != null) {
                    label.close();
                }
            }
        } catch (ZipException e) {
            throw new DataFileException(where + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
        }
    }

    private static InputStream entry(ZipFile zip, String name, String field, List<String> names, String where)
            throws IOException {
        ZipEntry e = zip.getEntry(name + ".npy");
        if (e == null) {
            throw new DataFileException(where + ": field '" + field + "' names array '" + name + "', which the archive "
                    + "does not hold; arrays: " + names);
        }
        return zip.getInputStream(e);
    }

    private static DType target(Config config, Npy.Header h) {
        return switch (config.dtype()) {
            case "float64" -> DType.FLOAT64;
            case "float32" -> DType.FLOAT32;
            default -> h.kind() == 'f' && h.itemSize() == 8 ? DType.FLOAT64 : DType.FLOAT32;
        };
    }

    /** Labels as text for {@link Labels}; each must be an integer. */
    private static List<String> text(Tensor label, Path file) throws DataFileException {
        List<String> out = new ArrayList<>((int) label.size());
        for (long i = 0; i < label.size(); i++) {
            double v = label.getDouble(i);
            if (v != Math.rint(v) || Double.isInfinite(v)) {
                throw new DataFileException(file + ": label " + i + " is " + v + "; labels must be integers");
            }
            out.add(Long.toString((long) v));
        }
        return out;
    }

    /** Overwrites the (float64) label tensor's values with class indices; the assembler copies them to INT32. */
    private static void fill(Tensor label, int[] classes) {
        for (int i = 0; i < classes.length; i++) {
            label.setDouble(i, classes[i]);
        }
    }

    private static void close(Read r) {
        if (r != null) {
            r.x().close();
            if (r.label() != null) {
                r.label().close();
            }
        }
    }
}
