package org.genbench.eval.distance.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * How far each sampler's samples are from fresh data, for any data (the reference for 2-D toys, where the density
 * plot shows what the numbers mean): the energy distance, which sees the large-scale shape, and the maximum mean
 * discrepancy with a Gaussian kernel whose bandwidth is an eighth of the held-out data's median pairwise distance, which
 * sees the modes (on eight-Gaussians, 1000 points on the ring without its modes are within the energy distance of
 * two real sets, but three times their MMD). With them, the floor: both distances between as many held-out and
 * training examples, what two independent sets of real data give. A run plots each against the steps samplers report.
 */
@Component(service = Evaluator.class)
public final class SampleDistanceEvaluator implements Evaluator<SampleDistanceEvaluator.Config> {
    public static final String NAME = "sample-distance";
    static final String ENERGY = "sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|), Euclidean, every pair (V-statistics), as"
            + " scipy.stats.energy_distance in 1-D";
    static final String MMD = "sqrt(E k(X, X') + E k(Y, Y') - 2 E k(X, Y)), k = exp(-|x - y|^2 / (2 h^2)), every pair"
            + " (V-statistics)";

    /**
     * @param split     the held-out split (default {@code test})
     * @param samples   at most this many real and this many generated examples (default 2000, 2..20000): the first of
     *                  the split, evenly spaced rows of the samples; the cost grows with the square
     * @param bandwidth the MMD kernel's h (default: the held-out examples' median pairwise distance / 8)
     * @param floor     also measure the held-out split against as many training examples (default true)
     */
    public record Config(String split, Integer samples, Double bandwidth, Boolean floor) {
        public Config {
            split = split == null ? "test" : split;
            if (split.isBlank()) {
                throw new IllegalArgumentException("split must name a dataset split such as 'test', was blank");
            }
            samples = samples == null ? 2000 : samples;
            if (samples < 2 || samples > 20000) {
                throw new IllegalArgumentException("samples must be between 2 and 20000, was " + samples);
            }
            if (bandwidth != null && (!(bandwidth > 0) || Double.isInfinite(bandwidth))) {
                throw new IllegalArgumentException("bandwidth must be finite and > 0, was " + bandwidth);
            }
            floor = floor == null || floor;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Energy distance and Gaussian-kernel MMD of each sampler's samples to held-out data, with the"
                + " real-vs-real floor";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.none();
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config c, RunContext context) {
        Tensor real = data.split(c.split()).x();
        int d = Math.toIntExact(real.rowSize());
        int nReal = (int) Math.min(c.samples(), real.rows());
        if (nReal < 2) {
            throw new IllegalArgumentException("split '" + c.split() + "' has " + real.rows() + " examples; need at least 2");
        }
        double[] held = rows(real, nReal, false);
        double h = c.bandwidth() != null ? c.bandwidth() : Distances.medianDistance(held, d) / 8;
        List<Metric> metrics = new ArrayList<>();
        int done = 0;
        int total = samples.size() + (c.floor() ? 1 : 0);
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("sample distances cancelled before sampler '" + e.getKey() + "'");
            }
            Tensor x = e.getValue().samples();
            if (x.rowSize() != d) {
                throw new IllegalArgumentException("sampler '" + e.getKey() + "' drew samples of shape "
                        + Arrays.toString(x.shape()) + ", the data's examples have " + d + " values");
            }
            int n = (int) Math.min(c.samples(), x.rows());
            double[] drawn = rows(x, n, true);
            String selection = n == x.rows() ? "all" : "evenly spaced rows";
            metrics.add(new Metric(e.getKey() + "/energy_distance", Distances.energy(drawn, held, d), "distance",
                    protocol(c, nReal, n, selection, e.getKey(), ENERGY, null)));
            metrics.add(new Metric(e.getKey() + "/mmd", Distances.mmd(drawn, held, d, h), "distance",
                    protocol(c, nReal, n, selection, e.getKey(), MMD, h)));
            context.progress(++done, total);
        }
        if (c.floor() && data.splits().contains("train") && !c.split().equals("train")) {
            Tensor train = data.split("train").x();
            int n = (int) Math.min(nReal, train.rows());
            if (n >= 2) {
                double[] other = rows(train, n, false);
                String selection = "the first rows of the training split";
                metrics.add(new Metric("floor/energy_distance", Distances.energy(other, held, d), "distance",
                        protocol(c, nReal, n, selection, "train", ENERGY, null)));
                metrics.add(new Metric("floor/mmd", Distances.mmd(other, held, d, h), "distance",
                        protocol(c, nReal, n, selection, "train", MMD, h)));
            }
            context.progress(total, total);
        }
        return metrics;
    }

    private static Map<String, Object> protocol(Config c, int nReal, int nOther, String selection, String against,
                                                String formula, Double bandwidth) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("against", against);
        p.put("real_split", c.split());
        p.put("n_real", nReal);
        p.put("n_compared", nOther);
        p.put("selection", selection);
        p.put("formula", formula);
        if (bandwidth != null) {
            p.put("bandwidth", bandwidth);
            p.put("bandwidth_rule", c.bandwidth() != null ? "given" : "median pairwise distance of the held-out rows / 8");
        }
        return p;
    }

    /** The first n rows, or n evenly spaced rows across the tensor. */
    static double[] rows(Tensor t, int n, boolean spaced) {
        int d = Math.toIntExact(t.rowSize());
        long total = t.rows();
        double[] out = new double[n * d];
        for (int i = 0; i < n; i++) {
            long r = spaced ? (long) Math.floor((double) i * total / n) : i;
            for (int j = 0; j < d; j++) {
                out[i * d + j] = t.getDouble(r * d + j);
            }
        }
        return out;
    }
}
