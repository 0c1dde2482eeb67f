package org.genbench.trainer.gradient.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * A stand-in with the VAE's contract and none of its weight: a mean theta fitted by plain gradient steps (at the
 * step's learning rate; the optimizer itself is the model's business, and nn's is tested in nn) to the objective
 * -1/2 |x - theta - noise|^2 - w/2 |theta|^2, with noise from the step's stream, so that a trainer that mixes up
 * steps, streams, batches or weights gives other numbers. It records what it was handed.
 */
final class FakeVariationalModel implements Model, GradientTrainable, LogDensityBound, Persistent {
    private static final ObjectMapper JSON = new ObjectMapper();
    final int d;
    double[] theta;
    double[] m;
    double[] v;
    long steps;
    final List<Double> weights = new ArrayList<>();
    final List<Step> settings = new ArrayList<>();
    final List<Double> firstValues = new ArrayList<>();

    FakeVariationalModel(int d) {
        this.d = d;
        theta = new double[d];
        m = new double[d];
        v = new double[d];
    }

    @Override
    public DataInfo data() {
        return new DataInfo("fake", new long[] {d}, DataInfo.CONTINUOUS, 0, null);
    }

    @Override
    public long parameterCount() {
        return d;
    }

    @Override
    public Map<String, Double> trainStep(Batch batch, Step step, Rng rng) {
        weights.add(step.regularizerWeight());
        settings.add(step);
        Tensor x = batch.x();
        firstValues.add(x.getDouble(0));
        int n = (int) x.rows();
        double[] g = new double[d];
        double fit = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double r = x.get(i, j) - theta[j] - 0.01 * rng.nextGaussian();
                fit += -0.5 * r * r / n;
                g[j] += -r / n;
            }
        }
        double reg = 0;
        for (int j = 0; j < d; j++) {
            reg += 0.5 * theta[j] * theta[j];
            g[j] += step.regularizerWeight() * theta[j];
        }
        steps++;
        for (int j = 0; j < d; j++) {
            m[j] = 0.5 * m[j] + g[j]; // momentum, saved with the checkpoint so that a resume must restore it
            theta[j] -= step.adam().learningRate() * m[j];
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", -fit + step.regularizerWeight() * reg);
        out.put("elbo", fit - reg);
        out.put("kl", reg);
        return out;
    }

    @Override
    public long stepsTaken() {
        return steps;
    }

    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        double[] out = new double[(int) x.rows()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < d; j++) {
                double r = x.get(i, j) - theta[j] - 0.01 * rng.nextGaussian();
                out[i] += -0.5 * r * r;
            }
        }
        return Tensor.ofDoubles(x.allocator(), out, out.length);
    }

    @Override
    public String boundName() {
        return "fake";
    }

    @Override
    public void save(Path directory) throws IOException {
        JSON.writeValue(directory.resolve("fake.json").toFile(), Map.of("theta", theta, "m", m, "v", v, "steps", steps));
    }

    @Override
    public void load(Path directory) throws IOException {
        var root = JSON.readTree(directory.resolve("fake.json").toFile());
        theta = JSON.treeToValue(root.get("theta"), double[].class);
        m = JSON.treeToValue(root.get("m"), double[].class);
        v = JSON.treeToValue(root.get("v"), double[].class);
        steps = root.get("steps").asLong();
    }
}
