package org.genbench.data.images.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
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
 * A dataset from a folder of PNG and JPEG images: {@code x} FLOAT32 {@code [n, channels, height, width]} in [0, 1]
 * and, when the images sit in sub-folders, {@code label}: one class per sub-folder, numbered in the sub-folders'
 * sorted order. Other files (and hidden ones) are ignored; a file with an image extension that does not decode
 * fails the dataset naming it. The checksum is the sha256 of the listing {@code "<sha256>  <relative path>"} of the
 * images in sorted order.
 */
@Component(service = DatasetProvider.class)
public final class ImageFolderDataset implements DatasetProvider<ImageFolderDataset.Config> {
    public static final String NAME = "images";
    static final List<String> CHANNELS = List.of("auto", "grayscale", "rgb");
    static final List<String> RESIZE = List.of("stretch", "crop");
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    /**
     * @param path         the folder (images in it, or in one sub-folder per class), split into train and test by
     *                     {@code testFraction}; relative to the workspace unless absolute
     * @param train        the training folder (with {@code test}, instead of {@code path}); both laid out alike
     * @param test         the test folder
     * @param testFraction the share of images drawn into test, in (0, 1); default 0.2
     * @param channels     {@code auto} (default: rgb when any image has colour, else grayscale), {@code grayscale}
     *                     (colour images by ITU-R 601 luma) or {@code rgb} (gray images repeated)
     * @param size         [height, width] to resize every image to; default none (all images must be one size)
     * @param resize       with {@code size}: {@code stretch} (default; the whole image, aspect ratio not kept) or
     *                     {@code crop} (the largest centred region of the target's aspect ratio, then resized)
     */
    public record Config(String path, String train, String test, Double testFraction, String channels,
                         List<Integer> size, String resize) {
        public Config {
            testFraction = Sources.check(path, train, test, testFraction);
            channels = channels == null ? "auto" : channels;
            if (!CHANNELS.contains(channels)) {
                throw new IllegalArgumentException("channels must be one of " + CHANNELS + ", was '" + channels + "'");
            }
            if (size != null) {
                if (size.size() != 2 || size.stream().anyMatch(v -> v == null || v < 1 || v > 4096)) {
                    throw new IllegalArgumentException("size must be [height, width], each in 1..4096, was " + size);
                }
                size = List.copyOf(size);
            }
            resize = resize == null ? "stretch" : resize;
            if (!RESIZE.contains(resize)) {
                throw new IllegalArgumentException("resize must be one of " + RESIZE + ", was '" + resize + "'");
            }
            if (size == null && resize.equals("crop")) {
                throw new IllegalArgumentException("resize 'crop' needs a target size: set size to [height, width]");
            }
        }

        public static Config of(String path) {
            return new Config(path, null, null, null, null, null, null);
        }
    }

    private volatile Path workspace = DataFiles.workspace(null);

    public ImageFolderDataset() {
    }

    ImageFolderDataset(Path workspace) {
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
        return "Your own folder(s) of PNG/JPEG images: grayscale or RGB, a class per sub-folder, resize and crop";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** The images of one folder, with their class folder (null when unlabelled), in sorted order. */
    private record Listing(Path root, List<Path> files, List<String> classes) {
    }

    @Override
    public Dataset open(Config config, RunContext context) throws IOException {
        Sources sources = Sources.resolve(workspace, config.path(), config.train(), config.test(), true);
        Path first = sources.presplit() ? sources.train() : sources.single();
        Listing train = list(first);
        Listing test = sources.presplit() ? list(sources.test()) : null;
        if (test != null && (train.classes() == null) != (test.classes() == null)) {
            throw new DataFileException(sources.test() + ": laid out " + (test.classes() == null ? "without" : "with")
                    + " class sub-folders, but the training folder " + first + " is not");
        }
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (Listing l : test == null ? List.of(train) : List.of(train, test)) {
            String prefix = test == null ? "" : (l == train ? config.train() : config.test()) + "/";
            for (Path f : l.files()) {
                inputs.put(prefix + l.root().relativize(f).toString().replace('\\', '/'), f);
            }
        }
        String checksum = DataFiles.sha256(inputs);

        List<Pixels> trainImages = decode(train);
        List<Pixels> testImages = test == null ? null : decode(test);
        int channels = switch (config.channels()) {
            case "grayscale" -> 1;
            case "rgb" -> 3;
            default -> Stream.concat(trainImages.stream(), testImages == null ? Stream.empty() : testImages.stream())
                    .anyMatch(p -> p.channels() == 3) ? 3 : 1;
        };
        int[] hw = config.size() == null ? null : new int[] {config.size().get(0), config.size().get(1)};
        if (hw == null) {
            Pixels p0 = trainImages.get(0);
            hw = new int[] {p0.height(), p0.width()};
        }
        Labels labels = train.classes() == null ? null
                : Labels.encode(train.classes(), test == null ? null : test.classes(), first.toString());
        if (labels != null && test != null) {
            // a class folder of the test set that the training set lacks would get an index the model never saw
            for (String c : test.classes()) {
                if (!train.classes().contains(c)) {
                    throw new DataFileException(sources.test() + ": class folder '" + c + "' is not among the training"
                            + " folder's classes " + train.classes().stream().distinct().toList());
                }
            }
        }
        BufferAllocator allocator = context.allocator();
        FileDatasets.Part tp = null;
        FileDatasets.Part sp = null;
        try {
            tp = part(train, trainImages, labels == null ? null : labels.train(), channels, hw, config, allocator);
            if (test != null) {
                sp = part(test, testImages, labels == null ? null : labels.test(), channels, hw, config, allocator);
            }
        } catch (IOException | RuntimeException e) {
            close(tp);
            close(sp);
            throw e;
        }
        String name = first.getFileName() == null ? first.toString() : first.getFileName().toString();
        FileDatasets.Meta meta = new FileDatasets.Meta(name, null, "float32", DataInfo.CONTINUOUS,
                labels == null ? 0 : labels.numClasses(), checksum);
        return FileDatasets.assemble(meta, tp, sp, config.testFraction() == null ? 0 : config.testFraction(),
                context.rng(), allocator);
    }

    private static Listing list(Path root) throws IOException {
        List<Path> direct = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.sorted().toList()) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    folders.add(p);
                } else if (isImage(p)) {
                    direct.add(p);
                }
            }
        }
        if (!direct.isEmpty() && !folders.isEmpty()) {
            throw new DataFileException(root + ": holds both images (" + direct.get(0).getFileName() + ", ...) and "
                    + "sub-folders (" + folders.get(0).getFileName() + ", ...); put every image in a class sub-folder,"
                    + " or none");
        }
        if (folders.isEmpty()) {
            if (direct.isEmpty()) {
                throw new DataFileException(root + ": no .png, .jpg or .jpeg images");
            }
            return new Listing(root, direct, null);
        }
        List<Path> files = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> entries = Files.walk(folder)) {
                List<Path> images = entries.filter(p -> Files.isRegularFile(p) && isImage(p)
                        && !p.getFileName().toString().startsWith(".")).sorted().toList();
                for (Path p : images) {
                    files.add(p);
                    classes.add(folder.getFileName().toString());
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataFileException(root + ": no .png, .jpg or .jpeg images in its sub-folders");
        }
        return new Listing(root, files, classes);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    private static List<Pixels> decode(Listing l) throws DataFileException {
        List<Pixels> out = new ArrayList<>(l.files().size());
        for (Path f : l.files()) {
            out.add(Pixels.decode(f));
        }
        return out;
    }

    private static FileDatasets.Part part(Listing l, List<Pixels> images, int[] classes, int channels, int[] hw,
                                          Config config, BufferAllocator allocator) throws IOException {
        int n = images.size();
        int h = hw[0];
        int w = hw[1];
        int per = channels * h * w;
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, channels, h, w);
        Tensor y = null;
        try {
            for (int i = 0; i < n; i++) {
                Pixels p = images.get(i).withChannels(channels);
                if (config.size() != null) {
                    p = p.resized(h, w, config.resize().equals("crop"));
                } else if (p.height() != h || p.width() != w) {
                    throw new DataFileException(l.files().get(i) + ": is " + p.height() + "x" + p.width() + " (height x"
                            + " width), but the first image is " + h + "x" + w + "; set size to [height, width] to "
                            + "resize them all");
                }
                float[] v = p.values();
                long base = (long) i * per;
                for (int j = 0; j < per; j++) {
                    x.buffer().setFloat(4 * (base + j), v[j]);
                }
            }
            if (classes != null) {
                y = Tensor.allocate(allocator, DType.INT32, n);
                for (int i = 0; i < n; i++) {
                    y.buffer().setInt(4L * i, classes[i]);
                }
            }
            return new FileDatasets.Part(x, y, l.root().toString());
        } catch (IOException | RuntimeException e) {
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
