package org.genbench.trainer.em.internal;

import java.util.Map;
import java.util.LinkedHashMap;
import org.genbench.api.InMemoryDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genbench.api.Persistent;
import org.genbench.testing.TestRunContext;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.EmFittable;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;

/** Stand-ins for the runner, a dataset and EM-fittable models, written against the api alone. */
final class Fakes {
    private Fakes() {
    }

    static final DataInfo LINE = new DataInfo("line", new long[] {1}, DataInfo.CONTINUOUS, 0, null);

    /** A dataset with a train and a test split; owns and closes both. */
    static InMemoryDataset twoSplits(Tensor train, Tensor test) {
        Map<String, Batch> splits = new LinkedHashMap<>();
        splits.put("train", Batch.of(train));
        splits.put("test", Batch.of(test));
        return new InMemoryDataset(LINE, splits);
    }

    /** Asks the trainer to stop once {@code cancelAfter} steps were logged. */
    static final class Context extends TestRunContext {
        int cancelAfter = Integer.MAX_VALUE;

        Context(BufferAllocator allocator) {
            super(17, allocator);
        }

        /** The logged training log-likelihoods, in order. */
        List<Double> logliks() {
            return logged.stream().map(v -> v.get("train_loglik")).toList();
        }

        @Override
        public boolean isCancelled() {
            return steps.size() >= cancelAfter;
        }
    }

    /** Returns a fixed sequence of log-likelihoods and remembers how it was driven. */
    static final class Scripted implements Model, EmFittable {
        final double[] values;
        int steps;
        Tensor initializedOn;
        Rng initializedWith;
        EmFittable.Snapshot restored;

        Scripted(double... values) {
            this.values = values;
        }

        @Override
        public DataInfo data() {
            return LINE;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public void initialize(Tensor x, Rng rng) {
            initializedOn = x;
            initializedWith = rng;
        }

        @Override
        public double emStep(Tensor x) {
            if (x != initializedOn) {
                throw new AssertionError("EM step on other data than the initialization");
            }
            return values[steps++];
        }

        @Override
        public EmFittable.Snapshot snapshot() {
            int at = steps;
            return new EmFittable.Snapshot() {
                @Override
                public String toString() {
                    return "after step " + at;
                }
            };
        }

        @Override
        public void restore(EmFittable.Snapshot snapshot) {
            restored = snapshot;
        }
    }

    /**
     * A real EM: a two-component 1-D Gaussian mixture (weights, means, variances), textbook updates. Its
     * log-likelihood must never decrease, which is what the trainer's log is checked against.
     */
    static final class TwoGaussians implements Model, EmFittable, Persistent {
        double w = 0.5;
        double[] mu = new double[2];
        double[] var = {1, 1};

        @Override
        public void save(Path directory) throws IOException {
            // Double.toString round-trips exactly, so a resumed fit continues bit for bit.
            Files.writeString(directory.resolve("params"), w + " " + mu[0] + " " + mu[1] + " " + var[0] + " " + var[1]);
        }

        @Override
        public void load(Path directory) throws IOException {
            String[] p = Files.readString(directory.resolve("params")).split(" ");
            w = Double.parseDouble(p[0]);
            mu = new double[] {Double.parseDouble(p[1]), Double.parseDouble(p[2])};
            var = new double[] {Double.parseDouble(p[3]), Double.parseDouble(p[4])};
        }

        @Override
        public DataInfo data() {
            return LINE;
        }

        @Override
        public long parameterCount() {
            return 5;
        }

        @Override
        public void initialize(Tensor x, Rng rng) {
            int n = (int) x.rows();
            w = 0.5;
            var = new double[] {1, 1};
            mu[0] = x.getDouble(rng.nextInt(n));
            mu[1] = x.getDouble(rng.nextInt(n));
            if (mu[0] == mu[1]) {
                mu[1] += 1;
            }
        }

        @Override
        public double emStep(Tensor x) {
            int n = (int) x.rows();
            double ll = 0;
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                double v = x.getDouble(i);
                double a = w * normal(v, mu[0], var[0]);
                double b = (1 - w) * normal(v, mu[1], var[1]);
                ll += Math.log(a + b);
                r[i] = a / (a + b);
            }
            double n0 = 0;
            double s0 = 0;
            double s1 = 0;
            for (int i = 0; i < n; i++) {
                n0 += r[i];
                s0 += r[i] * x.getDouble(i);
                s1 += (1 - r[i]) * x.getDouble(i);
            }
            double n1 = n - n0;
            mu[0] = s0 / n0;
            mu[1] = s1 / n1;
            double q0 = 0;
            double q1 = 0;
            for (int i = 0; i < n; i++) {
                double v = x.getDouble(i);
                q0 += r[i] * (v - mu[0]) * (v - mu[0]);
                q1 += (1 - r[i]) * (v - mu[1]) * (v - mu[1]);
            }
            var[0] = q0 / n0 + 1e-6;
            var[1] = q1 / n1 + 1e-6;
            w = n0 / n;
            return ll / n;
        }

        private record Params(double w, double[] mu, double[] var) implements EmFittable.Snapshot {
        }

        @Override
        public EmFittable.Snapshot snapshot() {
            return new Params(w, mu.clone(), var.clone());
        }

        @Override
        public void restore(EmFittable.Snapshot snapshot) {
            Params p = (Params) snapshot;
            w = p.w();
            mu = p.mu().clone();
            var = p.var().clone();
        }

        private static double normal(double x, double mean, double variance) {
            double z = x - mean;
            return Math.exp(-0.5 * z * z / variance) / Math.sqrt(2 * Math.PI * variance);
        }
    }

    /** A model that cannot be fitted by EM. */
    static final class NotFittable implements Model {
        @Override
        public DataInfo data() {
            return LINE;
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }
}
