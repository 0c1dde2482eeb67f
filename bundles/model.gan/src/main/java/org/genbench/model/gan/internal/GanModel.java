package org.genbench.model.gan.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.AdversarialTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Representation;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Layer;
import org.genbench.nn.Losses;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.Sequential;
import org.genbench.nn.io.Checkpoint;
import org.genbench.nn.optim.Adam;

/**
 * A generator and a discriminator ({@link GanNets}) on nn, with an Adam optimizer each. D's step minimizes the binary
 * cross-entropy on a real batch and as many of G's samples (drawn without recording G); G's step minimizes the
 * non-saturating -log sigmoid(D(G(z))) with D frozen, so no gradient work is spent on D's weights. Samples are
 * float32 shaped like the data. Not thread-safe: one thread trains or samples a model at a time.
 */
class GanModel implements Model, DirectSampling, AdversarialTrainable, Persistent, Representation {
    static final String DISCRIMINATOR_HIDDEN = "discriminator-hidden";
    /** Rows generated per forward pass when sampling, to bound memory for large requests. */
    static final int SAMPLE_CHUNK = 1024;
    static final String FILE = "gan.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    final GanFamily.Config config;
    final DataInfo data;
    /** Number of classes the networks are conditioned on; 0 when unconditional. */
    final int classes;
    final long[] sampleShape;
    final int dim;
    /** dcgan: channels, height and width of an image; mlp: 0. */
    final int channels;
    final int height;
    final int width;
    final DType dtype;
    final Module generator;
    final Module discriminator;
    private final Layer g;
    private final Layer d;
    Adam adamG;
    Adam adamD;

    GanModel(GanFamily.Config config, DataInfo data, Rng rng) {
        this(config, data, rng, DType.F32);
    }

    GanModel(GanFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        this.config = config;
        this.data = data;
        this.dtype = dtype;
        this.classes = config.conditional() ? data.numClasses() : 0;
        this.sampleShape = data.sampleShape();
        this.dim = Math.toIntExact(data.dimension());
        boolean dcgan = config.arch().equals(GanFamily.DCGAN);
        this.channels = dcgan ? (sampleShape.length == 3 ? (int) sampleShape[0] : 1) : 0;
        this.height = dcgan ? (int) sampleShape[sampleShape.length - 2] : 0;
        this.width = dcgan ? (int) sampleShape[sampleShape.length - 1] : 0;
        Layer out = GanNets.output(config.output());
        int zIn = config.latentDim() + classes;
        this.generator = dcgan
                ? GanNets.dcganGenerator(zIn, config.gChannels(), channels, height, width, out, dtype, rng.split("generator"))
                : GanNets.mlp(zIn, config.hidden(), config.hiddenLayers(), dim, 0, out, dtype, rng.split("generator"));
        this.discriminator = dcgan
                ? GanNets.dcganDiscriminator(channels + classes, config.dChannels(), height, width, config.leak(), dtype,
                        rng.split("discriminator"))
                : GanNets.mlp(dim + classes, config.hidden(), config.hiddenLayers(), 1, config.leak(), x -> x, dtype,
                        rng.split("discriminator"));
        this.g = (Layer) generator;
        this.d = (Layer) discriminator;
    }

    static GanModel create(GanFamily.Config config, DataInfo data, Rng rng) {
        return config.conditional() ? new ConditionalGanModel(config, data, rng) : new GanModel(config, data, rng);
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return generator.parameterCount() + discriminator.parameterCount();
    }

    // ---- sampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        // an unconditional draw from a conditional model: labels uniform over the classes
        return generate(n, fakeLabels(n, rng), rng, allocator);
    }

    Tensor generate(int n, int[] labels, Rng rng, BufferAllocator allocator) {
        float[] all = new float[n * dim];
        for (int start = 0; start < n; start += SAMPLE_CHUNK) {
            int count = Math.min(SAMPLE_CHUNK, n - start);
            int[] y = labels == null ? null : Arrays.copyOfRange(labels, start, start + count);
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray x = g.forward(generatorInput(NdArray.randn(rng, dtype, 1.0, count, config.latentDim()), y));
                float[] v = x.to(DType.F32).f();
                System.arraycopy(v, 0, all, start * dim, count * dim);
            }
        }
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        for (int i = 0; i < sampleShape.length; i++) {
            shape[i + 1] = (int) sampleShape[i];
        }
        return NdArray.wrap(all, shape).toTensor(allocator);
    }

    // ---- representation

    /**
     * D's last hidden layer (before its output logit): what the discriminator learned to tell real from generated
     * data by. None for a conditional GAN, whose D takes the label as an input.
     */
    @Override
    public Map<String, Integer> representations() {
        if (classes > 0) {
            return Map.of();
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(DISCRIMINATOR_HIDDEN, hiddenWidth());
        return m;
    }

    @Override
    public Tensor represent(String name, Tensor x) {
        if (!representations().containsKey(name)) {
            throw new IllegalArgumentException("gan has no representation '" + name + "'; available: "
                    + representations().keySet());
        }
        try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
            NdArray h = discriminatorHidden(NdArray.fromTensor(x, dtype));
            return F.reshape(h, h.dim(0), h.size() / Math.max(1, h.dim(0))).to(DType.F32).toTensor(x.allocator());
        }
    }

    /** D's layers up to its last hidden one: all but the output linear (and, for the mlp, its identity output). */
    private List<Layer> hiddenLayers() {
        List<Layer> all = ((Sequential) discriminator).layers();
        return all.subList(0, channels == 0 ? all.size() - 2 : all.size() - 1);
    }

    private int hiddenWidth() {
        if (channels == 0) {
            return config.hiddenLayers() == 0 ? dim : config.hidden();
        }
        return 2 * config.dChannels() * (height / 4) * (width / 4);
    }

    private NdArray discriminatorHidden(NdArray x) {
        int n = x.dim(0);
        NdArray h = channels == 0 ? F.reshape(x, n, dim) : F.reshape(x, n, channels, height, width);
        for (Layer layer : hiddenLayers()) {
            h = layer.forward(h);
        }
        return h;
    }

    // ---- training

    @Override
    public double discriminatorStep(Tensor real, Tensor labels, double realTarget, AdamSettings adam, Rng rng) {
        int b = Math.toIntExact(real.rows());
        if (b < 1) {
            throw new IllegalArgumentException("the real batch is empty");
        }
        if (!(realTarget > 0 && realTarget <= 1)) {
            throw new IllegalArgumentException("realTarget must be in (0, 1], was " + realTarget);
        }
        double loss;
        try (Graph graph = Graph.record()) {
            NdArray l = discriminatorLoss(real, labels, realTarget, rng);
            l.backward();
            loss = l.item();
        }
        adamD = ensure(adamD, discriminator, adam);
        adamD.step(adam.learningRate());
        return loss;
    }

    @Override
    public double generatorStep(int n, AdamSettings adam, Rng rng) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        double loss;
        discriminator.setRequiresGrad(false);
        try (Graph graph = Graph.record()) {
            NdArray l = generatorLoss(n, rng);
            l.backward();
            loss = l.item();
        } finally {
            discriminator.setRequiresGrad(true);
        }
        adamG = ensure(adamG, generator, adam);
        adamG.step(adam.learningRate());
        return loss;
    }

    /**
     * D's loss: the mean cross-entropy over the real rows (target {@code realTarget}) plus the mean over as many of
     * G's samples (target 0), which are drawn without recording G.
     */
    NdArray discriminatorLoss(Tensor real, Tensor labels, double realTarget, Rng rng) {
        int b = Math.toIntExact(real.rows());
        NdArray xr = realInput(real);
        int[] yr = classes > 0 ? labels(labels, b) : null;
        int[] yf = fakeLabels(b, rng);
        NdArray fake;
        try (Scope ng = Scope.noGrad()) {
            fake = g.forward(generatorInput(NdArray.randn(rng, dtype, 1.0, b, config.latentDim()), yf));
        }
        NdArray x = F.concat(0, xr, fake);
        int[] y = classes > 0 ? concat(yr, yf) : null;
        NdArray logits = d.forward(discriminatorInput(x, y));
        NdArray targets = NdArray.zeros(dtype, 2 * b, 1);
        for (int i = 0; i < b; i++) {
            targets.setFlat(i, realTarget);
        }
        return F.mul(F.sum(Losses.bernoulliLogLik(logits, targets)), -1.0 / b);
    }

    /** G's non-saturating loss, the mean of -log sigmoid(D(G(z))) over n draws. */
    NdArray generatorLoss(int n, Rng rng) {
        int[] yf = fakeLabels(n, rng);
        NdArray fake = g.forward(generatorInput(NdArray.randn(rng, dtype, 1.0, n, config.latentDim()), yf));
        return F.mean(F.softplus(F.neg(d.forward(discriminatorInput(fake, yf)))));
    }

    /** The network's optimizer, made on its first step; its betas and epsilon may not change afterwards. */
    private static Adam ensure(Adam opt, Module net, AdamSettings s) {
        if (opt == null) {
            return new Adam(net.parameters(), s);
        }
        AdamSettings had = opt.settings();
        if (had.beta1() != s.beta1() || had.beta2() != s.beta2() || had.epsilon() != s.epsilon()) {
            throw new IllegalArgumentException("Adam's betas and epsilon cannot change during training");
        }
        return opt;
    }

    /** The real batch in D's input layout, in the model's element type. */
    private NdArray realInput(Tensor real) {
        if (real.rowSize() != dim) {
            throw new IllegalArgumentException("real rows have " + real.rowSize() + " values, the model expects " + dim
                    + " (sample shape " + Arrays.toString(sampleShape) + ")");
        }
        NdArray x = NdArray.fromTensor(real, dtype);
        int b = (int) real.rows();
        return channels > 0 ? F.reshape(x, b, channels, height, width) : F.reshape(x, b, dim);
    }

    private int[] labels(Tensor labels, int b) {
        if (labels == null) {
            throw new IllegalArgumentException("a conditional gan needs the labels of the real batch");
        }
        if (labels.size() != b) {
            throw new IllegalArgumentException(labels.size() + " labels for " + b + " real rows");
        }
        int[] y = new int[b];
        for (int i = 0; i < b; i++) {
            y[i] = checkLabel(labels.getDouble(i));
        }
        return y;
    }

    int checkLabel(double value) {
        int label = (int) value;
        if (label != value || label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + value + " is not a class in [0, " + classes + ")");
        }
        return label;
    }

    private int[] fakeLabels(int n, Rng rng) {
        if (classes == 0) {
            return null;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        return y;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private NdArray generatorInput(NdArray z, int[] labels) {
        return classes == 0 ? z : F.concat(1, z, F.oneHot(labels, classes, dtype));
    }

    /** D's input: the samples, and when conditional the one-hot label as extra columns (mlp) or constant planes. */
    private NdArray discriminatorInput(NdArray x, int[] labels) {
        if (classes == 0) {
            return x;
        }
        int n = labels.length;
        NdArray oneHot = F.oneHot(labels, classes, dtype);
        if (channels == 0) {
            return F.concat(1, x, oneHot);
        }
        NdArray planes = F.broadcastTo(F.reshape(oneHot, n, classes, 1, 1), n, classes, height, width);
        return F.concat(1, x, planes);
    }

    // ---- persistence

    /** What must match for a checkpoint to load into this model. */
    private Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            m.put("config", JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put("sampleShape", Arrays.toString(sampleShape));
        m.put("classes", Integer.toString(classes));
        return m;
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.createDirectories(directory);
        Checkpoint ck = Checkpoint.create().module("generator", generator).module("discriminator", discriminator);
        for (Object[] o : new Object[][] {{"generator", adamG}, {"discriminator", adamD}}) {
            Adam a = (Adam) o[1];
            if (a != null) {
                ck.optimizer((String) o[0], a).meta(o[0] + ".adam", a.settings().beta1() + "," + a.settings().beta2()
                        + "," + a.settings().epsilon());
            }
        }
        identity().forEach(ck::meta);
        ck.write(directory.resolve(FILE));
    }

    @Override
    public void load(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("incomplete GAN checkpoint in " + directory + ": no " + FILE
                    + " (checkpoints of the earlier ND4J-based GAN cannot be loaded: retrain)");
        }
        Checkpoint ck = Checkpoint.read(file);
        for (Map.Entry<String, String> e : identity().entrySet()) {
            String saved = ck.metadata().get(e.getKey());
            if (!e.getValue().equals(saved)) {
                throw new IOException("the checkpoint in " + directory + " is of a differently configured gan: '"
                        + e.getKey() + "' is " + saved + ", this model's is " + e.getValue());
            }
        }
        try {
            ck.loadModule("generator", generator);
            ck.loadModule("discriminator", discriminator);
            adamG = restore(ck, "generator", generator);
            adamD = restore(ck, "discriminator", discriminator);
        } catch (IllegalArgumentException e) {
            throw new IOException("the checkpoint in " + directory + " does not fit: " + e.getMessage(), e);
        }
    }

    private static Adam restore(Checkpoint ck, String key, Module net) {
        String settings = ck.metadata().get(key + ".adam");
        if (settings == null) {
            return null;
        }
        String[] b = settings.split(",");
        Adam a = new Adam(net.parameters(), new AdamSettings(1e-3, Double.parseDouble(b[0]), Double.parseDouble(b[1]),
                Double.parseDouble(b[2])));
        ck.loadOptimizer(key, a);
        return a;
    }

    @Override
    public String toString() {
        return "GanModel[" + config.arch() + ", " + data + ", " + parameterCount() + " parameters]";
    }
}
