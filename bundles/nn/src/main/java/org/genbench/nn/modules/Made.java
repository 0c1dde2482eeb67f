package org.genbench.nn.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * MADE, the masked autoencoder for distribution estimation (Germain et al. 2015): an MLP of {@link MaskedLinear}
 * layers whose masks make the outputs for input d depend only on the inputs before d in an order. The input at
 * position i of the order has degree i + 1; each hidden unit has a degree in [min degree below, D - 1] and sees the
 * units below it of lower or equal degree; the outputs of input d see the hidden units of degree below d's. With
 * {@code k} outputs per input, x [n, D] gives [n, k D]: output block j (columns j D .. j D + D - 1) holds the j-th
 * parameter of every input's conditional, in the inputs' own indexing (not the order's).
 *
 * <p>The order and hidden degrees are buffers, saved with the weights. {@link #connect} sets them: hidden degrees
 * cycling through 1..D-1 (deterministic, as MAF uses) or drawn uniformly (MADE's connectivity-agnostic training
 * draws a new order and new degrees per step from a fixed set of masks). {@link #incremental} evaluates the network
 * one position at a time for sampling, computing each hidden unit once (when the inputs up to its degree are known),
 * so drawing all D positions costs about one forward pass rather than D.
 */
public final class Made extends Module {
    private final int inputs;
    private final int outputsPerInput;
    private final Activation act;
    private final List<MaskedLinear> layers = new ArrayList<>();
    /** order[i]: the input drawn at step i. */
    private final NdArray orderBuffer;
    private final List<NdArray> degreeBuffers = new ArrayList<>();
    private final int[] hidden;

    /**
     * @param inputs          D, at least 1
     * @param hidden          hidden layer sizes, at least one layer, each at least 1
     * @param outputsPerInput parameters of each conditional (1 for a Bernoulli logit, 2 for a Gaussian's mean and
     *                        log-scale, ...)
     */
    public Made(int inputs, int[] hidden, int outputsPerInput, Activation act, DType dtype, Rng rng) {
        if (inputs < 1 || hidden.length < 1 || outputsPerInput < 1 || Arrays.stream(hidden).anyMatch(h -> h < 1)) {
            throw new IllegalArgumentException("MADE needs inputs >= 1, at least one hidden layer of size >= 1 and "
                    + "outputsPerInput >= 1; got " + inputs + ", " + Arrays.toString(hidden) + ", " + outputsPerInput);
        }
        this.inputs = inputs;
        this.outputsPerInput = outputsPerInput;
        this.act = act;
        this.hidden = hidden.clone();
        int in = inputs;
        for (int l = 0; l < hidden.length; l++) {
            layers.add(child(Integer.toString(l), new MaskedLinear(in, hidden[l], true, dtype, rng)));
            in = hidden[l];
        }
        layers.add(child(Integer.toString(hidden.length), new MaskedLinear(in, outputsPerInput * inputs, true, dtype, rng)));
        this.orderBuffer = buffer("order", NdArray.zeros(dtype, inputs));
        for (int l = 0; l < hidden.length; l++) {
            degreeBuffers.add(buffer("degrees" + l, NdArray.zeros(dtype, hidden[l])));
        }
        connect(natural(inputs), null);
    }

    /** 0, 1, .., D-1. */
    public static int[] natural(int d) {
        int[] o = new int[d];
        for (int i = 0; i < d; i++) {
            o[i] = i;
        }
        return o;
    }

    /** A uniformly random permutation of 0..D-1 from {@code rng}. */
    public static int[] randomOrder(int d, Rng rng) {
        int[] o = natural(d);
        for (int i = d - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /**
     * Sets the order ({@code order[i]} is the input drawn at step i, a permutation of 0..D-1) and the hidden degrees:
     * drawn uniformly in [lowest degree below, D - 1] from {@code rng}, or cycling through that range when
     * {@code rng} is null; then rebuilds the masks.
     */
    public void connect(int[] order, Rng rng) {
        if (order.length != inputs) {
            throw new IllegalArgumentException("an order of " + order.length + " positions for " + inputs + " inputs");
        }
        boolean[] seen = new boolean[inputs];
        for (int d : order) {
            if (d < 0 || d >= inputs || seen[d]) {
                throw new IllegalArgumentException("the order must be a permutation of 0.." + (inputs - 1) + ": "
                        + Arrays.toString(order));
            }
            seen[d] = true;
        }
        int[] inDegree = new int[inputs];
        for (int i = 0; i < inputs; i++) {
            inDegree[order[i]] = i + 1;
            orderBuffer.setFlat(i, order[i]);
        }
        int[] below = inDegree;
        for (int l = 0; l < hidden.length; l++) {
            int lo = Math.min(Arrays.stream(below).min().orElse(1), inputs - 1);
            int hi = inputs - 1;
            int span = hi - lo + 1;
            int[] deg = new int[hidden[l]];
            for (int k = 0; k < deg.length; k++) {
                deg[k] = span <= 0 ? hi : lo + (rng == null ? k % span : rng.nextInt(span));
                degreeBuffers.get(l).setFlat(k, deg[k]);
            }
            below = deg;
        }
        rebuildMasks();
    }

    /**
     * Zeroes the output layer's weights and biases, so that every output starts at 0 whatever the input: an
     * autoregressive flow layer built on it then starts as the identity (as Glow starts its couplings), which keeps
     * a deep stack finite at initialization on inputs of any scale.
     */
    public void zeroOutputLayer() {
        MaskedLinear out = layers.get(layers.size() - 1);
        out.weight().fill(0);
        out.bias().fill(0);
    }

    /** Draws a new random order and hidden degrees (connectivity-agnostic training). */
    public void resample(Rng rng) {
        connect(randomOrder(inputs, rng), rng);
    }

    private void rebuildMasks() {
        int[] inputDegree = inputDegrees();
        int[] below = inputDegree;
        for (int l = 0; l <= hidden.length; l++) {
            MaskedLinear layer = layers.get(l);
            boolean output = l == hidden.length;
            int[] deg = output ? null : degrees(l);
            int outs = output ? outputsPerInput * inputs : hidden[l];
            int ins = below.length;
            double[] m = new double[outs * ins];
            for (int o = 0; o < outs; o++) {
                // an output column o belongs to input o % D; a hidden unit o has degree deg[o]
                int bound = output ? inputDegree[o % inputs] : deg[o];
                for (int i = 0; i < ins; i++) {
                    boolean on = output ? below[i] < bound : bound >= below[i];
                    m[o * ins + i] = on ? 1 : 0;
                }
            }
            NdArray mask = NdArray.wrap(m, outs, ins).to(layer.mask().dtype());
            layer.setMask(mask);
            if (!output) {
                below = deg;
            }
        }
    }

    /** The order: order()[i] is the input drawn at step i. */
    public int[] order() {
        int[] o = new int[inputs];
        for (int i = 0; i < inputs; i++) {
            o[i] = (int) orderBuffer.getFlat(i);
        }
        return o;
    }

    /** Each input's degree: its position in the order plus one. */
    public int[] inputDegrees() {
        int[] order = order();
        int[] deg = new int[inputs];
        for (int i = 0; i < inputs; i++) {
            deg[order[i]] = i + 1;
        }
        return deg;
    }

    /** The degrees of hidden layer {@code l}'s units. */
    public int[] degrees(int l) {
        NdArray b = degreeBuffers.get(l);
        int[] d = new int[b.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (int) b.getFlat(i);
        }
        return d;
    }

    public int inputs() {
        return inputs;
    }

    public int outputsPerInput() {
        return outputsPerInput;
    }

    /** x [n, D] to [n, k D]. */
    public NdArray forward(NdArray x) {
        NdArray h = x;
        for (int l = 0; l < layers.size(); l++) {
            h = layers.get(l).forward(h);
            if (l < hidden.length) {
                h = act.forward(h);
            }
        }
        return h;
    }

    /**
     * A one-position-at-a-time evaluation of this network (no gradients) for {@code n} rows, in float64, with the
     * current weights and masks: set the input of step i with {@link Incremental#set}, then read the outputs of step
     * i + 1. Each hidden unit is computed once, when the inputs up to its degree are known.
     */
    public Incremental incremental(int n) {
        return new Incremental(n);
    }

    /** See {@link #incremental}. */
    public final class Incremental {
        private final int n;
        private final double[] x;
        /** Activations of each hidden layer, [n][units], zero until computed. */
        private final double[][] h;
        private final double[][] w;
        private final double[][] b;
        /** Units of each hidden layer by degree: unitsOf[l][deg] lists the units of layer l with that degree. */
        private final int[][][] unitsOf;
        private final int[] order;
        private int step;

        private Incremental(int n) {
            this.n = n;
            this.x = new double[n * inputs];
            this.h = new double[hidden.length][];
            this.w = new double[layers.size()][];
            this.b = new double[layers.size()][];
            for (int l = 0; l < layers.size(); l++) {
                MaskedLinear layer = layers.get(l);
                double[] wm = layer.weight().toDoubleArray();
                double[] mask = layer.mask().toDoubleArray();
                for (int i = 0; i < wm.length; i++) {
                    wm[i] *= mask[i];
                }
                w[l] = wm;
                b[l] = layer.bias().toDoubleArray();
            }
            this.unitsOf = new int[hidden.length][][];
            for (int l = 0; l < hidden.length; l++) {
                h[l] = new double[n * hidden[l]];
                int[] deg = degrees(l);
                int[] count = new int[inputs + 1];
                for (int d : deg) {
                    count[d]++;
                }
                unitsOf[l] = new int[inputs + 1][];
                for (int d = 0; d <= inputs; d++) {
                    unitsOf[l][d] = new int[count[d]];
                }
                int[] fill = new int[inputs + 1];
                for (int k = 0; k < deg.length; k++) {
                    unitsOf[l][deg[k]][fill[deg[k]]++] = k;
                }
            }
            this.order = order();
            computeUnitsOfDegree(0);
        }

        /** Steps whose inputs are set so far. */
        public int step() {
            return step;
        }

        /** The input drawn at step {@code i}. */
        public int inputAt(int i) {
            return order[i];
        }

        /**
         * The k parameters of the conditional of the input drawn at the current step, for every row: [n * k], row
         * r's j-th parameter at r * k + j.
         */
        public double[] outputs() {
            int d = order[step];
            int last = hidden.length;
            int units = hidden[last - 1];
            double[] out = new double[n * outputsPerInput];
            double[] hl = h[last - 1];
            for (int j = 0; j < outputsPerInput; j++) {
                int row = j * inputs + d;
                int wo = row * units;
                for (int r = 0; r < n; r++) {
                    double s = b[last][row];
                    int ho = r * units;
                    for (int k = 0; k < units; k++) {
                        s += w[last][wo + k] * hl[ho + k];
                    }
                    out[r * outputsPerInput + j] = s;
                }
            }
            return out;
        }

        /** Sets the current step's input to {@code values[r]} for every row and advances to the next step. */
        public void set(double[] values) {
            if (step >= inputs) {
                throw new IllegalStateException("all " + inputs + " inputs are set");
            }
            int d = order[step];
            for (int r = 0; r < n; r++) {
                x[r * inputs + d] = values[r];
            }
            step++;
            computeUnitsOfDegree(step);
        }

        /** The inputs set so far, [n * D] row-major (zeros where not set). */
        public double[] inputs() {
            return x.clone();
        }

        /** Hidden units of degree {@code deg} in every layer, now that the inputs of degree <= deg are set. */
        private void computeUnitsOfDegree(int deg) {
            if (deg > inputs) {
                return;
            }
            double[] below = x;
            int belowSize = inputs;
            for (int l = 0; l < hidden.length; l++) {
                int units = hidden[l];
                double[] hl = h[l];
                double[] wl = w[l];
                for (int k : unitsOf[l][deg]) {
                    int wo = k * belowSize;
                    for (int r = 0; r < n; r++) {
                        double s = b[l][k];
                        int bo = r * belowSize;
                        for (int i = 0; i < belowSize; i++) {
                            s += wl[wo + i] * below[bo + i];
                        }
                        hl[r * units + k] = activate(s);
                    }
                }
                below = hl;
                belowSize = units;
            }
        }

        private double activate(double v) {
            return switch (act) {
                case RELU -> Math.max(0, v);
                case TANH -> Math.tanh(v);
                case ELU -> v > 0 ? v : Math.expm1(v);
                case IDENTITY -> v;
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case SOFTPLUS -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
                case SILU -> v / (1 + Math.exp(-v));
                case LEAKY_RELU -> v > 0 ? v : 0.2 * v;
            };
        }
    }
}
