package org.genbench.model.gan.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.AdversarialTrainable;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A generator and a discriminator with their Adam states. Samples are float32 shaped like the data. Not thread-safe:
 * a model is trained or sampled by one thread at a time (layers keep their last inputs for the backward pass).
 */
class GanModel implements Model, DirectSampling, AdversarialTrainable, Persistent {
    /** Rows generated per forward pass when sampling, to bound memory for large requests. */
    static final int SAMPLE_CHUNK = 1024;

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
    final Network generator;
    final Network discriminator;

    GanModel(GanFamily.Config config, DataInfo data, Rng rng) {
        this.config = config;
        this.data = data;
        this.classes = config.conditional() ? data.numClasses() : 0;
        this.sampleShape = data.sampleShape();
        this.dim = Math.toIntExact(data.dimension());
        boolean dcgan = config.arch().equals(GanFamily.DCGAN);
        this.channels = dcgan ? (sampleShape.length == 3 ? (int) sampleShape[0] : 1) : 0;
        this.height = dcgan ? (int) sampleShape[sampleShape.length - 2] : 0;
        this.width = dcgan ? (int) sampleShape[sampleShape.length - 1] : 0;
        this.generator = new Network(dcgan ? dcganGenerator() : mlpGenerator());
        this.discriminator = new Network(dcgan ? dcganDiscriminator() : mlpDiscriminator());
        generator.init(rng.split("generator"));
        discriminator.init(rng.split("discriminator"));
    }

    static GanModel create(GanFamily.Config config, DataInfo data, Rng rng) {
        return config.conditional() ? new ConditionalGanModel(config, data, rng) : new GanModel(config, data, rng);
    }

    // He initialization (std sqrt(2 / fan-in)) for layers followed by a rectifier, sqrt(1 / fan-in) for the last:
    // without batch normalization this keeps activations near unit scale through both networks at the start.
    private static double he(long fanIn) {
        return Math.sqrt(2.0 / fanIn);
    }

    private static double lecun(long fanIn) {
        return Math.sqrt(1.0 / fanIn);
    }

    private List<Layers.Layer> mlpGenerator() {
        List<Layers.Layer> layers = new ArrayList<>();
        int in = config.latentDim() + classes;
        for (int i = 0; i < config.hiddenLayers(); i++) {
            layers.add(new Layers.Dense(in, config.hidden(), he(in)));
            layers.add(new Layers.LeakyRelu(config.leak()));
            in = config.hidden();
        }
        layers.add(new Layers.Dense(in, dim, lecun(in)));
        layers.add(new Layers.Output(config.output()));
        return layers;
    }

    private List<Layers.Layer> mlpDiscriminator() {
        List<Layers.Layer> layers = new ArrayList<>();
        int in = dim + classes;
        for (int i = 0; i < config.hiddenLayers(); i++) {
            layers.add(new Layers.Dense(in, config.hidden(), he(in)));
            layers.add(new Layers.LeakyRelu(config.leak()));
            in = config.hidden();
        }
        layers.add(new Layers.Dense(in, 1, lecun(in)));
        return layers;
    }

    private List<Layers.Layer> dcganGenerator() {
        int g = config.gChannels();
        int h4 = height / 4;
        int w4 = width / 4;
        int in = config.latentDim() + classes;
        return List.of(
                new Layers.Dense(in, 2 * g * h4 * w4, he(in)),
                new Layers.LeakyRelu(0),
                new Layers.Reshape(2L * g, h4, w4),
                // a stride-2 transposed 4x4 kernel reaches each output pixel with 4 taps per input channel
                new Layers.Conv(2 * g, g, 4, 2, 1, true, he(2L * g * 4)),
                new Layers.LeakyRelu(0),
                new Layers.Conv(g, channels, 4, 2, 1, true, lecun((long) g * 4)),
                new Layers.Output(config.output()));
    }

    private List<Layers.Layer> dcganDiscriminator() {
        int d = config.dChannels();
        int in = channels + classes;
        int flat = 2 * d * (height / 4) * (width / 4);
        return List.of(
                new Layers.Conv(in, d, 4, 2, 1, false, he(16L * in)),
                new Layers.LeakyRelu(config.leak()),
                new Layers.Conv(d, 2 * d, 4, 2, 1, false, he(16L * d)),
                new Layers.LeakyRelu(config.leak()),
                new Layers.Reshape(flat),
                new Layers.Dense(flat, 1, lecun(flat)));
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return generator.size() + discriminator.size();
    }

    // ---- sampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        int[] labels = null;
        if (classes > 0) {
            // an unconditional draw from a conditional model: labels uniform over the classes
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = rng.nextInt(classes);
            }
        }
        return generate(n, labels, rng, allocator);
    }

    Tensor generate(int n, int[] labels, Rng rng, BufferAllocator allocator) {
        List<INDArray> chunks = new ArrayList<>();
        for (int start = 0; start < n; start += SAMPLE_CHUNK) {
            int count = Math.min(SAMPLE_CHUNK, n - start);
            int[] y = labels == null ? null : Arrays.copyOfRange(labels, start, start + count);
            try (MemoryWorkspace ws = stepWorkspace()) {
                // each chunk's result leaves the workspace; its temporaries do not
                chunks.add(generator.forward(generatorInput(gaussian(count, rng), y)).reshape('c', count, dim).detach());
            }
        }
        INDArray all = chunks.isEmpty() ? Nd4j.create(DataType.FLOAT, 0, dim)
                : chunks.size() == 1 ? chunks.get(0) : Nd4j.concat(0, chunks.toArray(INDArray[]::new));
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Nd4jArrow.toTensor(all.reshape('c', shape).dup('c'), allocator);
    }

    // ---- training

    /**
     * Every array a training step creates (activations, im2col buffers, gradients of activations, optimizer
     * temporaries) lives only until the step ends, so steps run in an ND4J workspace: after the first step has
     * measured its size, each step allocates from one reused arena instead of one malloc and one GC-driven free per
     * array. Parameters, gradients and Adam's moments are allocated outside it and updated in place.
     */
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private static final String WORKSPACE_ID = "genbench-gan-step";

    private static MemoryWorkspace stepWorkspace() {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, WORKSPACE_ID);
    }

    @Override
    public double discriminatorStep(Tensor real, Tensor labels, double realTarget, AdamSettings adam, Rng rng) {
        try (MemoryWorkspace ws = stepWorkspace()) {
            return discriminatorUpdate(real, labels, realTarget, adam, rng);
        }
    }

    @Override
    public double generatorStep(int n, AdamSettings adam, Rng rng) {
        try (MemoryWorkspace ws = stepWorkspace()) {
            return generatorUpdate(n, adam, rng);
        }
    }

    private double discriminatorUpdate(Tensor real, Tensor labels, double realTarget, AdamSettings adam, Rng rng) {
        int b = Math.toIntExact(real.rows());
        if (b < 1) {
            throw new IllegalArgumentException("the real batch is empty");
        }
        if (!(realTarget > 0 && realTarget <= 1)) {
            throw new IllegalArgumentException("realTarget must be in (0, 1], was " + realTarget);
        }
        INDArray xr = realInput(real);
        int[] yr = classes > 0 ? labels(labels, b) : null;
        int[] yf = fakeLabels(b, rng);
        INDArray fake = generator.forward(generatorInput(gaussian(b, rng), yf));
        INDArray x = Nd4j.concat(0, xr, fake);
        int[] y = classes > 0 ? concat(yr, yf) : null;
        float[] logits = discriminator.forward(discriminatorInput(x, y)).toFloatVector();
        float[] grad = new float[2 * b];
        double loss = 0;
        for (int i = 0; i < 2 * b; i++) {
            double t = i < b ? realTarget : 0;
            double l = logits[i];
            loss += softplus(l) - t * l;
            grad[i] = (float) ((sigmoid(l) - t) / b);
        }
        discriminator.backward(Nd4j.createFromArray(grad).reshape(2 * b, 1), true, false);
        discriminator.adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon());
        return loss / b;
    }

    private double generatorUpdate(int n, AdamSettings adam, Rng rng) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        int[] yf = fakeLabels(n, rng);
        INDArray fake = generator.forward(generatorInput(gaussian(n, rng), yf));
        float[] logits = discriminator.forward(discriminatorInput(fake, yf)).toFloatVector();
        float[] grad = new float[n];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double l = logits[i];
            loss += softplus(-l);
            grad[i] = (float) ((sigmoid(l) - 1) / n);
        }
        INDArray gx = discriminator.backward(Nd4j.createFromArray(grad).reshape(n, 1), false, true);
        if (classes > 0) {
            // drop the gradient of the label planes/columns, which G does not produce
            gx = channels > 0
                    ? gx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, channels), NDArrayIndex.all(), NDArrayIndex.all()).dup('c')
                    : gx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dim)).dup('c');
        }
        generator.backward(gx, true, false);
        generator.adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon());
        return loss / n;
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** The real batch as float32 in D's input layout; a view when the data is already float32. */
    private INDArray realInput(Tensor real) {
        if (real.rowSize() != dim) {
            throw new IllegalArgumentException("real rows have " + real.rowSize() + " values, the model expects " + dim
                    + " (sample shape " + Arrays.toString(sampleShape) + ")");
        }
        INDArray x = Nd4jArrow.view(real);
        if (x.dataType() != DataType.FLOAT) {
            x = x.castTo(DataType.FLOAT);
        }
        long b = real.rows();
        return channels > 0 ? x.reshape('c', b, channels, height, width) : x.reshape('c', b, dim);
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

    /** z ~ N(0, I), {@code [n, latentDim]}, from {@code rng} (the trainer's per-step stream keeps resumes exact). */
    private INDArray gaussian(int n, Rng rng) {
        float[] z = new float[n * config.latentDim()];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rng.nextGaussian();
        }
        return Nd4j.createFromArray(z).reshape(n, config.latentDim());
    }

    private INDArray oneHot(int[] labels) {
        float[] v = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            v[i * classes + labels[i]] = 1f;
        }
        return Nd4j.createFromArray(v).reshape(labels.length, classes);
    }

    private INDArray generatorInput(INDArray z, int[] labels) {
        return classes == 0 ? z : Nd4j.concat(1, z, oneHot(labels));
    }

    /** D's input: the samples, and when conditional the one-hot label as extra columns (mlp) or constant planes. */
    private INDArray discriminatorInput(INDArray x, int[] labels) {
        if (classes == 0) {
            return x;
        }
        int n = labels.length;
        if (channels == 0) {
            return Nd4j.concat(1, x, oneHot(labels));
        }
        INDArray planes = oneHot(labels).reshape(n, classes, 1, 1).broadcast(n, classes, height, width);
        return Nd4j.concat(1, x, planes);
    }

    // ---- persistence

    @Override
    public void save(Path directory) throws IOException {
        GanCheckpoint.write(directory, this);
    }

    @Override
    public void load(Path directory) throws IOException {
        GanCheckpoint.read(directory, this);
    }

    @Override
    public String toString() {
        return "GanModel[" + config.arch() + ", " + data + ", " + parameterCount() + " parameters]";
    }
}
