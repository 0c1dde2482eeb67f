package org.genbench.nn.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.ConvTranspose2d;
import org.genbench.nn.modules.GroupNorm;
import org.genbench.nn.modules.Linear;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Milliseconds per forward + backward of each module at the shapes the families use, the genbench side of
 * {@code bench/nn_vs_torch.sh} (its twin is {@code bench/torch_modules.py}, same cases, same order). Each case: 3
 * warm-up passes, then the median of 7 timed windows of {@code reps} passes. Prints one line per case:
 * {@code genbench <case> ms=<median>}.
 */
@Tag("benchmark")
class ModuleBenchmark {
    record Case(String name, Supplier<Module> module, int[] input, int reps) {
    }

    static List<Case> cases() {
        Rng rng = new Rng(1);
        DType t = DType.F32;
        return List.of(
                new Case("linear_784_400_b64", () -> new Linear(784, 400, t, rng), new int[] {64, 784}, 200),
                new Case("linear_400_784_b64", () -> new Linear(400, 784, t, rng), new int[] {64, 400}, 200),
                new Case("conv_1_64_k4s2_28_b128", () -> new Conv2d(1, 64, 4, 2, 1, true, t, rng), new int[] {128, 1, 28, 28}, 10),
                new Case("conv_64_128_k4s2_14_b128", () -> new Conv2d(64, 128, 4, 2, 1, true, t, rng), new int[] {128, 64, 14, 14}, 5),
                new Case("convT_128_64_k4s2_7_b64", () -> new ConvTranspose2d(128, 64, 4, 2, 1, 0, true, t, rng), new int[] {64, 128, 7, 7}, 5),
                new Case("convT_64_1_k4s2_14_b64", () -> new ConvTranspose2d(64, 1, 4, 2, 1, 0, true, t, rng), new int[] {64, 64, 14, 14}, 10),
                new Case("conv_64_64_k3s1_28_b32", () -> new Conv2d(64, 64, 3, 1, 1, true, t, rng), new int[] {32, 64, 28, 28}, 3),
                new Case("groupnorm_8_64_28_b32", () -> new GroupNorm(8, 64, t), new int[] {32, 64, 28, 28}, 5));
    }

    @Test
    void modules() {
        for (Case c : cases()) {
            Module m = c.module().get();
            NdArray x = NdArray.randn(new Rng(2), DType.F32, 1.0, c.input());
            NdArray w = NdArray.randn(new Rng(3), DType.F32, 1.0, outputShape(m, x));
            Runnable pass = () -> {
                try (Graph g = Graph.record()) {
                    NdArray xi = g.input(x);
                    F.sum(F.mul(((Layer) m).forward(xi), w)).backward();
                }
                m.parameters().values().forEach(NdArray::clearGrad);
            };
            for (int i = 0; i < 3; i++) {
                pass.run();
            }
            List<Double> windows = new ArrayList<>();
            for (int k = 0; k < 7; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < c.reps(); i++) {
                    pass.run();
                }
                windows.add((System.nanoTime() - t0) / 1e6 / c.reps());
            }
            windows.sort(Double::compare);
            System.out.printf("genbench %s ms=%.4f%n", c.name(), windows.get(3));
        }
    }

    private static int[] outputShape(Module m, NdArray x) {
        try (org.genbench.nn.Scope s = org.genbench.nn.Scope.open()) {
            return ((Layer) m).forward(x).shape();
        }
    }

    public static void main(String[] args) {
        new ModuleBenchmark().modules();
        System.out.println(Arrays.toString(args));
    }
}
