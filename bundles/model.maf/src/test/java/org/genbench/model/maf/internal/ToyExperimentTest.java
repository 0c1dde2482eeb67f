package org.genbench.model.maf.internal;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.Dataset;
import org.genbench.api.GradientTrainable;
import org.genbench.api.KnownDensity;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ToyExperimentTest {
    @Test
    void experiment() throws Exception {
        String shape = System.getProperty("exp.shape", "two-moons");
        int steps = Integer.getInteger("exp.steps", 2000);
        int batch = Integer.getInteger("exp.batch", 256);
        double lr = Double.parseDouble(System.getProperty("exp.lr", "1e-3"));
        int couplings = Integer.getInteger("exp.couplings", 8);
        int hidden = Integer.getInteger("exp.hidden", 64);
        int layers = Integer.getInteger("exp.layers", 2);
        String norm = System.getProperty("exp.norm", "actnorm");
        try (BufferAllocator a = new RootAllocator()) {
            Class<?> c = Class.forName("org.genbench.data.toy.internal.ToyDatasets");
            Object toy = c.getConstructor().newInstance();
            Class<?> cfg = Class.forName("org.genbench.data.toy.internal.ToyDatasets$Config");
            Object config = cfg.getConstructors()[0].newInstance(shape, 20000, 5000, null);
            Dataset d = (Dataset) c.getMethod("open", cfg, org.genbench.api.RunContext.class).invoke(toy, config,
                    new org.genbench.testing.TestRunContext(1, a));
            MafModel m = new MafModel(new MafFamily.Config(couplings, hidden, layers, "relu", norm),
                    d.info(), new Rng(2), org.genbench.nn.DType.F32);
            Tensor train = d.split("train").x();
            long t0 = System.nanoTime();
            Rng rng = new Rng(3);
            for (int s = 0; s < steps; s++) {
                int start = (s * batch) % (20000 - batch);
                double rate = lr * (s < steps * 0.8 ? 1 : 0.1);
                GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(rate, 0.9, 0.999, 1e-8), 1);
                Map<String, Double> out;
                try (Tensor x = train.slice(start, batch); Batch b = Batch.of(x.retain())) {
                    out = m.trainStep(b, step, rng.split(s));
                }
                if (s % 500 == 0) {
                    System.out.println("step " + s + " " + out);
                }
            }
            Tensor test = d.split("test").x();
            double[] lp = m.logDensities(test);
            double mean = 0;
            double tm = 0;
            try (Tensor t = ((KnownDensity) d).trueLogDensity(test)) {
                for (int i = 0; i < lp.length; i++) {
                    mean += lp[i] / lp.length;
                    tm += t.getDouble(i) / lp.length;
                }
            }
            System.out.printf("RESULT %s steps %d: model %.4f true %.4f gap %.4f (%.1f s)%n", shape, steps, mean, tm, tm - mean,
                    (System.nanoTime() - t0) / 1e9);
            d.close();
        }
    }
}
