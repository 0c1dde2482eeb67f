package org.genbench.model.diffusion.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;

/** A plain training loop for the tests (runs use the trainer bundle): fresh toy batches, Adam. */
final class Fit {
    private Fit() {
    }

    /** Returns the loss of every step. */
    static List<Double> toy(GradientTrainable model, int steps, int batch, double lr, long seed, BufferAllocator allocator) {
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(lr, 0.9, 0.999, 1e-8), 1);
        Rng data = new Rng(seed).split("data");
        Rng noise = new Rng(seed).split("noise");
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            try (Batch b = Toy.batch(Toy.draw(batch, data.split(s)), allocator)) {
                losses.add(model.trainStep(b, step, noise.split(s)).get("loss"));
            }
        }
        return losses;
    }

    static double mean(List<Double> v, int from, int to) {
        return v.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
