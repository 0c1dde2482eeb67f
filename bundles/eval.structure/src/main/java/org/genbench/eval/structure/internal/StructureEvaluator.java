package org.genbench.eval.structure.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.vision.Vectors;
import org.osgi.service.component.annotations.Component;

/**
 * Structure discovered without labels: each held-out example goes to its most probable cluster under the model
 * (a mixture's component, p(k | x)), and the assignments are scored against the labels the model never saw
 * ({@link ClusterScores}: adjusted Rand index, normalized mutual information). Also reported: how many clusters the
 * examples use, and the purity (the share of examples whose cluster's majority class is theirs).
 */
@Component(service = Evaluator.class)
public final class StructureEvaluator implements Evaluator<StructureEvaluator.Config> {
    /**
     * @param split    the split to cluster (default {@code test})
     * @param examples at most this many of its first examples, 2..1000000 (default 10000)
     */
    public record Config(String split, Integer examples) {
        public Config {
            split = split == null ? "test" : split;
            examples = examples == null ? 10_000 : examples;
            if (examples < 2 || examples > 1_000_000) {
                throw new IllegalArgumentException("examples must be in 2..1000000, was " + examples);
            }
        }
    }

    @Override
    public String name() {
        return "structure";
    }

    @Override
    public String description() {
        return "Structure: a mixture's cluster assignments against the labels (adjusted Rand index, NMI, purity)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(Clustering.class);
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
                                 RunContext context) {
        Clustering clustering = model.as(Clustering.class).orElseThrow(() ->
                new IllegalArgumentException("structure needs a model with Clustering"));
        DataInfo info = data.info();
        if (info.numClasses() < 2) {
            throw new IllegalArgumentException("structure needs labels to score clusters against; '" + info.name()
                    + "' has no classes (for toy data: labels true)");
        }
        Batch split = data.split(config.split());
        int n = (int) Math.min(config.examples(), split.size());
        int[] labels = Arrays.copyOf(Vectors.labels(split.label().orElseThrow(() ->
                new IllegalArgumentException("split '" + config.split() + "' has no labels")), info.numClasses()), n);
        int k = clustering.clusters();
        int[] clusters = new int[n];
        try (Tensor x = split.x().slice(0, n); Tensor r = clustering.assignments(x)) {
            if (r.rows() != n || r.rowSize() != k) {
                throw new IllegalStateException("the model's assignments are " + Arrays.toString(r.shape())
                        + ", expected [" + n + ", " + k + "]");
            }
            double[] p = Vectors.doubles(r);
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (p[i * k + j] > p[i * k + best]) {
                        best = j;
                    }
                }
                clusters[i] = best;
            }
        }
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("split", config.split());
        protocol.put("n", n);
        protocol.put("clusters", k);
        protocol.put("classes", info.numClasses());
        protocol.put("assignment", "argmax_k p(k | x)");
        protocol.put("nmi", "arithmetic-mean normalization (scikit-learn's default)");
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric("ari", ClusterScores.adjustedRandIndex(labels, clusters), "structure", protocol));
        metrics.add(new Metric("nmi", ClusterScores.normalizedMutualInformation(labels, clusters), "structure", protocol));
        metrics.add(new Metric("clusters_used", Arrays.stream(clusters).distinct().count(), "structure", protocol));
        metrics.add(new Metric("purity", purity(labels, clusters, info.numClasses(), k), "structure", protocol));
        return metrics;
    }

    static double purity(int[] labels, int[] clusters, int classes, int k) {
        long[][] counts = new long[k][classes];
        for (int i = 0; i < labels.length; i++) {
            counts[clusters[i]][labels[i]]++;
        }
        long majority = 0;
        for (long[] row : counts) {
            majority += Arrays.stream(row).max().orElse(0);
        }
        return (double) majority / labels.length;
    }
}
