package org.genbench.model.made.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Autoregressive;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable.Step;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.density.DensityModel;
import org.genbench.density.ModelSpace;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Losses;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.Made;

/**
 * A MADE on the data's model space: binary data as it is (Bernoulli logits), other data through dequantization and
 * the logit pre-transform (Gaussian or mixture-of-Gaussians conditionals: means, log-scales and mixture logits as
 * MADE's output blocks).
 */
final class MadeModel extends DensityModel implements Autoregressive {
    private final MadeFamily.Config config;
    private final Made made;
    private final boolean binary;
    private final int k;
    private final long maskSeed;
    /** The connectivity the network holds now, -1 before any was chosen by index. */
    private int connected = -1;

    MadeModel(MadeFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        super(MadeFamily.NAME, config, data, DataInfo.BINARY.equals(data.kind())
                ? ModelSpace.discrete(data, MadeFamily.NAME) : ModelSpace.continuous(data, MadeFamily.NAME), dtype);
        this.config = config;
        this.binary = DataInfo.BINARY.equals(data.kind());
        this.k = binary ? 1 : config.components() == 1 ? 2 : 3 * config.components();
        this.maskSeed = rng.split("masks").nextLong();
        int[] hidden = new int[config.hiddenLayers()];
        java.util.Arrays.fill(hidden, config.hidden());
        this.made = new Made(dimension, hidden, k, Activation.of(config.activation()), dtype, rng.split("weights"));
        network(made);
        connect(0);
    }

    Made made() {
        return made;
    }

    /** Connectivity {@code m}: the natural order for a single mask, else a random order and degrees from the seed. */
    void connect(int m) {
        if (m == connected) {
            return;
        }
        if (config.masks() == 1) {
            made.connect(Made.natural(dimension), null);
        } else {
            Rng r = new Rng(maskSeed).split(m);
            made.connect(Made.randomOrder(dimension, r), r);
        }
        connected = m;
    }

    @Override
    protected Map<String, String> identity() {
        Map<String, String> id = new java.util.LinkedHashMap<>(super.identity());
        id.put("maskSeed", Long.toString(maskSeed));
        return id;
    }

    @Override
    protected void afterLoad() {
        connected = -1; // the loaded buffers hold whichever mask was current when saved
        connect(0);
    }

    /**
     * Before the first step on real-valued data, {@link #initializeConditionals} places the conditionals on the
     * first batch; a resumed run (steps taken above 0) keeps its trained weights.
     */
    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        if (!binary && stepsTaken() == 0 && batch.size() > 0) {
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                initializeConditionals(space.training(batch.x(), rng.split("initialize"), dtype).y());
            }
        }
        return super.trainStep(batch, step, rng);
    }

    /**
     * Data-initialized conditionals: the output layer's biases of each dimension d set from the batch's values of
     * y_d, so that the Gaussian starts at their mean and standard deviation, and the c mixture components at their
     * (j + 1/2)/c quantiles, j = 0..c-1, with equal weights and scale sd min(1, 2/c). The output of the
     * dimension drawn first is its bias alone (no input reaches it), and Adam moves a parameter by about the
     * learning rate per step: from a zero start, 3000 steps at 1e-3 with a cosine schedule move the first
     * dimension's means by at most about 1.5, short of two moons' x range of [-3, 3] (the marginal's gap was
     * 0.13 of the toy's 0.15 nats before this).
     */
    void initializeConditionals(NdArray y) {
        int n = y.dim(0);
        int d = dimension;
        NdArray bias = made.parameters().get(config.hiddenLayers() + ".bias");
        if (bias == null || bias.size() != k * d) {
            throw new IllegalStateException("MADE's output bias is missing or not " + k * d + " wide");
        }
        int c = k == 2 ? 1 : config.components();
        double[] v = new double[n];
        for (int dim = 0; dim < d; dim++) {
            double sum = 0;
            for (int r = 0; r < n; r++) {
                v[r] = y.getFlat(r * d + dim);
                sum += v[r];
            }
            double mean = sum / n;
            double sq = 0;
            for (int r = 0; r < n; r++) {
                sq += (v[r] - mean) * (v[r] - mean);
            }
            double sd = Math.max(Math.sqrt(sq / Math.max(1, n - 1)), 1e-3);
            if (k == 2) {
                bias.setFlat(dim, mean);
                bias.setFlat(d + dim, Math.log(sd));
                continue;
            }
            java.util.Arrays.sort(v);
            for (int j = 0; j < c; j++) {
                bias.setFlat(j * d + dim, 0);
                bias.setFlat((c + j) * d + dim, quantile(v, (j + 0.5) / c));
                bias.setFlat((2 * c + j) * d + dim, Math.log(sd * Math.min(1.0, 2.0 / c)));
            }
        }
    }

    /** The p-quantile of sorted values, linear between order statistics. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    protected NdArray logProb(NdArray y, Rng rng) {
        if (rng != null) {
            connect(config.masks() == 1 ? 0 : rng.nextInt(config.masks()));
            return conditionalLogProb(y, made.forward(y));
        }
        int e = config.ensemble();
        if (e == 1) {
            connect(0);
            return conditionalLogProb(y, made.forward(y));
        }
        int n = y.dim(0);
        List<NdArray> members = new ArrayList<>();
        for (int m = 0; m < e; m++) {
            connect(m);
            members.add(F.reshape(conditionalLogProb(y, made.forward(y)), n, 1));
        }
        return F.add(F.logSumExp(F.concat(1, members.toArray(new NdArray[0])), 1, false), -Math.log(e));
    }

    /** log p(y) per example from the network's outputs [n, k D]. */
    NdArray conditionalLogProb(NdArray y, NdArray out) {
        int n = y.dim(0);
        int d = dimension;
        if (binary) {
            return Losses.bernoulliLogLik(out, y);
        }
        if (k == 2) {
            NdArray mu = F.narrow(out, 1, 0, d);
            NdArray logScale = F.narrow(out, 1, d, d);
            NdArray z = F.mul(F.sub(y, mu), F.exp(F.neg(logScale)));
            NdArray per = F.add(F.add(F.mul(F.square(z), -0.5), F.neg(logScale)), -0.5 * Math.log(2 * Math.PI));
            return Losses.rowSums(per);
        }
        int c = config.components();
        NdArray r = F.reshape(out, n, 3, c, d);
        NdArray logits = F.reshape(F.narrow(r, 1, 0, 1), n, c, d);
        NdArray mu = F.reshape(F.narrow(r, 1, 1, 1), n, c, d);
        NdArray logScale = F.reshape(F.narrow(r, 1, 2, 1), n, c, d);
        NdArray z = F.mul(F.sub(F.reshape(y, n, 1, d), mu), F.exp(F.neg(logScale)));
        NdArray comp = F.add(F.add(F.mul(F.square(z), -0.5), F.neg(logScale)), -0.5 * Math.log(2 * Math.PI));
        NdArray mix = F.logSumExp(F.add(comp, F.logSoftmax(logits, 1)), 1, false);
        return Losses.rowSums(mix);
    }

    @Override
    protected NdArray sampleModel(int n, Rng rng) {
        try (MadeGeneration g = new MadeGeneration(n, rng)) {
            for (int i = 0; i < dimension; i++) {
                g.next(rng);
            }
            return g.canvas();
        }
    }

    // ---- Autoregressive

    @Override
    public int positions() {
        return dimension;
    }

    @Override
    public Generation generate(int n, Rng rng) {
        return new MadeGeneration(n, rng);
    }

    /** n samples, each from one ensemble member chosen uniformly, the members' rows drawn together. */
    private final class MadeGeneration implements Generation {
        private final int n;
        private final int[][] rowsOf;
        private final Made.Incremental[] members;
        private final double[] canvas;
        private int drawn;

        MadeGeneration(int n, Rng rng) {
            if (n < 0) {
                throw new IllegalArgumentException("sample count must be >= 0, was " + n);
            }
            this.n = n;
            int e = config.ensemble();
            int[] member = new int[n];
            int[] count = new int[e];
            for (int r = 0; r < n; r++) {
                member[r] = e == 1 ? 0 : rng.nextInt(e);
                count[member[r]]++;
            }
            rowsOf = new int[e][];
            members = new Made.Incremental[e];
            int[] fill = new int[e];
            for (int m = 0; m < e; m++) {
                rowsOf[m] = new int[count[m]];
                if (count[m] > 0) {
                    connect(m);
                    members[m] = made.incremental(count[m]);
                }
            }
            for (int r = 0; r < n; r++) {
                rowsOf[member[r]][fill[member[r]]++] = r;
            }
            canvas = new double[n * dimension];
        }

        @Override
        public int drawn() {
            return drawn;
        }

        @Override
        public void next(Rng rng) {
            if (drawn >= dimension) {
                throw new IllegalStateException("all " + dimension + " positions are drawn");
            }
            for (int m = 0; m < members.length; m++) {
                Made.Incremental inc = members[m];
                if (inc == null) {
                    continue;
                }
                int dim = inc.inputAt(drawn);
                double[] out = inc.outputs();
                int rows = rowsOf[m].length;
                double[] values = new double[rows];
                for (int r = 0; r < rows; r++) {
                    values[r] = draw(out, r * k, rng);
                    canvas[rowsOf[m][r] * dimension + dim] = values[r];
                }
                inc.set(values);
            }
            drawn++;
        }

        /** One value from the conditional whose k parameters start at out[o]. */
        private double draw(double[] out, int o, Rng rng) {
            if (binary) {
                double p = 1 / (1 + Math.exp(-out[o]));
                return rng.nextDouble() < p ? 1 : 0;
            }
            if (k == 2) {
                return out[o] + Math.exp(out[o + 1]) * rng.nextGaussian();
            }
            int c = config.components();
            // out holds the conditional's parameters in block order: logits (c), means (c), log-scales (c)
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, out[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(out[o + j] - max);
            }
            double u = rng.nextDouble() * sum;
            int pick = c - 1;
            for (int j = 0; j < c; j++) {
                u -= Math.exp(out[o + j] - max);
                if (u < 0) {
                    pick = j;
                    break;
                }
            }
            return out[o + c + pick] + Math.exp(out[o + 2 * c + pick]) * rng.nextGaussian();
        }

        /** The canvas in model space, [n, D], in the current scope. */
        NdArray canvas() {
            NdArray a = NdArray.zeros(dtype, n, dimension);
            for (int i = 0; i < canvas.length; i++) {
                a.setFlat(i, canvas[i]);
            }
            return a;
        }

        @Override
        public Tensor samples(BufferAllocator allocator) {
            if (drawn < dimension) {
                throw new IllegalStateException(drawn + " of " + dimension + " positions are drawn");
            }
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                return F.reshape(space.toData(canvas()).to(DType.F32), shape(n)).toTensor(allocator);
            }
        }

        @Override
        public void close() {
        }
    }
}
