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
 * How far each sampler's samples are from fresh data: the energy distance to held-out examples (any dimension; the
 * reference for 2-D toys, where a density plot shows what the number means). With it, the floor: the distance between
 * as many held-out and training examples, what two independent sets of real data give. (A run plots the distances
 * of samplers that report their steps against them.)
 */
@Component(service = Evaluator.class)
public final class EnergyDistanceEvaluator implements Evaluator<EnergyDistanceEvaluator.Config> {
    public static final String NAME = "energy-distance";
    static final String FORMULA = "sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|), Euclidean, every pair (V-statistics),"
            + " as scipy.stats.energy_distance in 1-D";

    /**
     * @param split   the held-out split (default {@code test})
     * @param samples at most this many real and this many generated examples (default 2000, 2..20000): the first of
     *                the split, evenly spaced rows of the samples; the cost grows with the square
     * @param floor   also measure two real sets against each other, the held-out split against the training split
     *                (default true)
     */
    public record Config(String split, Integer samples, Boolean floor) {
        public Config {
            split = split == null ? "test" : split;
            if (split.isBlank()) {
                throw new IllegalArgumentException("split must name a dataset split such as 'test', was blank");
            }
            samples = samples == null ? 2000 : samples;
            if (samples < 2 || samples > 20000) {
                throw new IllegalArgumentException("samples must be between 2 and 20000, was " + samples);
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
        return "Energy distance of each sampler's samples to held-out data, with the real-vs-real floor";
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
        List<Metric> metrics = new ArrayList<>();
        int done = 0;
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("energy distance cancelled before sampler '" + e.getKey() + "'");
            }
            Tensor x = e.getValue().samples();
            if (x.rowSize() != d) {
                throw new IllegalArgumentException("sampler '" + e.getKey() + "' drew samples of shape "
                        + Arrays.toString(x.shape()) + ", the data's examples have " + d + " values");
            }
            int n = (int) Math.min(c.samples(), x.rows());
            double v = EnergyDistance.of(rows(x, n, true), held, d);
            metrics.add(new Metric(e.getKey() + "/energy_distance", v, "distance", protocol(c, nReal, n,
                    n == x.rows() ? "all" : "evenly spaced rows", e.getKey())));
            context.progress(++done, samples.size() + (c.floor() ? 1 : 0));
        }
        if (c.floor() && data.splits().contains("train") && !c.split().equals("train")) {
            Tensor train = data.split("train").x();
            int n = (int) Math.min(nReal, train.rows());
            if (n >= 2) {
                double v = EnergyDistance.of(rows(train, n, false), held, d);
                metrics.add(new Metric("floor/energy_distance", v, "distance", protocol(c, nReal, n,
                        "the first rows of the training split", "train")));
            }
        }
        return metrics;
    }

    private static Map<String, Object> protocol(Config c, int nReal, int nOther, String selection, String against) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("against", against);
        p.put("real_split", c.split());
        p.put("n_real", nReal);
        p.put("n_compared", nOther);
        p.put("selection", selection);
        p.put("formula", FORMULA);
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
