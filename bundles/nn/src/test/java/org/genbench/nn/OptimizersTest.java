package org.genbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.genbench.api.AdamSettings;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.nn.io.Checkpoint;
import org.genbench.nn.modules.BatchNorm;
import org.genbench.nn.modules.Linear;
import org.genbench.nn.optim.Adam;
import org.genbench.nn.optim.Ema;
import org.genbench.nn.optim.GradClip;
import org.genbench.nn.optim.Optimizer;
import org.genbench.nn.optim.Schedule;
import org.genbench.nn.optim.Sgd;
import org.genbench.nn.optim.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizers against PyTorch's trajectories (datasets/reference/nn_optim_reference.py), checkpoints, schedules. */
class OptimizersTest {
    private static JsonNode reference() throws IOException {
        try (InputStream in = OptimizersTest.class.getResourceAsStream("/optim-reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Optimizer make(String name, Map<String, NdArray> p) {
        return switch (name) {
            case "adam" -> new Adam(p, new AdamSettings(0.01, 0.9, 0.999, 1e-8));
            case "adam_l2" -> new Adam(p, new AdamSettings(0.01, 0.5, 0.99, 1e-6), 0.1, false);
            case "adamw" -> new Adam(p, new AdamSettings(0.01, 0.9, 0.999, 1e-8), 0.1, true);
            case "sgd_momentum" -> new Sgd(p, 0.9, 0.01, false);
            case "sgd_nesterov" -> new Sgd(p, 0.9, 0, true);
            default -> new Sgd(p, 0, 0, false);
        };
    }

    private static double lr(String name) {
        return name.startsWith("sgd") ? 0.05 : 0.01;
    }

    /** Sets p's gradient to g by back-propagating sum(p * g). */
    private static void setGrad(NdArray p, double[] g) {
        try (Graph graph = Graph.record()) {
            F.sum(F.mul(p, NdArray.wrap(g, g.length).to(p.dtype()))).backward();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adam_l2", "adamw", "sgd_momentum", "sgd_nesterov", "sgd"})
    void followsPytorchsTrajectory(String name) throws IOException {
        JsonNode ref = reference();
        for (DType t : DType.values()) {
            double[] p0 = new double[ref.get("p0").size()];
            for (int i = 0; i < p0.length; i++) {
                p0[i] = ref.get("p0").get(i).asDouble();
            }
            NdArray p = NdArray.parameter("p", NdArray.wrap(p0.clone(), p0.length).to(t));
            Optimizer opt = make(name, Map.of("p", p));
            for (int step = 0; step < ref.get("steps").asInt(); step++) {
                double[] g = new double[p0.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = p.getFlat(i) * (step + 1) / 10 + Math.sin(step + i);
                }
                setGrad(p, t == DType.F64 ? g : NdArray.wrap(g, g.length).to(DType.F32).toDoubleArray());
                opt.step(lr(name));
            }
            for (int i = 0; i < p0.length; i++) {
                assertEquals(ref.get(name).get(i).asDouble(), p.getFlat(i), t == DType.F64 ? 1e-12 : 2e-6, name + " " + t + " [" + i + "]");
            }
        }
    }

    @Test
    void aParameterWithoutAGradientIsLeftAlone() {
        NdArray a = NdArray.parameter("a", NdArray.wrap(new double[] {1, 2}, 2));
        NdArray b = NdArray.parameter("b", NdArray.wrap(new double[] {3, 4}, 2));
        Adam adam = new Adam(Map.of("a", a, "b", b), new AdamSettings(0.1, 0.9, 0.999, 1e-8));
        setGrad(a, new double[] {1, 1});
        adam.step(0.1);
        assertArrayEquals(new double[] {3, 4}, b.toDoubleArray());
        assertTrue(a.getFlat(0) < 1);
    }

    @Test
    void clippingScalesToTheNormAndReportsItBefore() {
        NdArray a = NdArray.parameter("a", NdArray.wrap(new double[] {0, 0}, 2));
        setGrad(a, new double[] {3, 4});
        assertEquals(5, GradClip.clipNorm(java.util.List.of(a), 1), 1e-12);
        assertArrayEquals(new double[] {0.6, 0.8}, a.grad().toDoubleArray(), 1e-6);
        assertEquals(1, GradClip.clipNorm(java.util.List.of(a), 10), 1e-6);
        assertArrayEquals(new double[] {0.6, 0.8}, a.grad().toDoubleArray(), 1e-6);
    }

    @Test
    void schedules() {
        Schedule c = Schedule.cosine(1.0, 10, 110, 0.1);
        assertEquals(0.1, c.at(0), 1e-12);
        assertEquals(0.5, c.at(4), 1e-12);
        assertEquals(1.0, c.at(10), 1e-12);
        assertEquals(0.55, c.at(60), 1e-12);
        assertTrue(c.at(109) > 0.1 && c.at(109) < 0.101, "the last step's rate stays above the minimum");
        assertEquals(0.1, c.at(200), 1e-12);
        assertEquals(0.25, Schedule.linearWarmup(1, 4).at(0), 1e-12);
        assertEquals(1, Schedule.linearWarmup(1, 4).at(4), 1e-12);
        assertEquals(0.25, Schedule.stepDecay(1, 10, 0.5).at(20), 1e-12);
        assertEquals(0.5, Schedule.named("linear", 1, 0, 10).at(5), 1e-12);
        assertEquals(0.1, Schedule.named("linear", 1, 0, 10).at(9), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.named("exp", 1, 0, 10));
        assertTrue(e.getMessage().contains("constant, warmup, cosine or linear"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(1, 10, 5, 0));
    }

    @Test
    void emaAveragesAndSwaps() {
        Linear l = new Linear(2, 1, DType.F64, new Rng(1));
        double w0 = l.weight().getFlat(0);
        Ema ema = new Ema(l, 0.9);
        l.weight().setFlat(0, w0 + 1);
        ema.update();
        ema.swapInto();
        assertEquals(w0 + 0.1, l.weight().getFlat(0), 1e-12);
        ema.swapInto();
        assertEquals(w0 + 1, l.weight().getFlat(0), 1e-12);
    }

    @Test
    void checkpointsRoundTripWeightsMomentsBuffersAndMetadata(@TempDir Path dir) throws IOException {
        Sequential net = new Sequential(new Linear(3, 4, DType.F32, new Rng(2)), new BatchNorm(4, DType.F32));
        Adam adam = new Adam(net.parameters(), new AdamSettings(1e-2, 0.9, 0.999, 1e-8));
        try (Graph g = Graph.record()) {
            F.sum(F.square(net.forward(NdArray.randn(new Rng(3), DType.F32, 1, 5, 3)))).backward();
        }
        adam.step(1e-2);
        Path file = dir.resolve("ck.safetensors");
        Checkpoint.create().module("net", net).optimizer("net", adam).meta("config", "{\"hidden\":4}").write(file);

        Sequential copy = new Sequential(new Linear(3, 4, DType.F32, new Rng(99)), new BatchNorm(4, DType.F32));
        Adam copyAdam = new Adam(copy.parameters(), new AdamSettings(1e-2, 0.9, 0.999, 1e-8));
        Checkpoint ck = Checkpoint.read(file);
        ck.loadModule("net", copy);
        ck.loadOptimizer("net", copyAdam);
        assertEquals("{\"hidden\":4}", ck.meta("config"));
        assertEquals(1, copyAdam.steps());
        net.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), copy.state().get(k).toFloatArray(), k));
        adam.state().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), copyAdam.state().get(k).toFloatArray(), k));
        // the file names no Java class
        assertTrue(!new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1).contains("org.genbench"));
    }

    @Test
    void aCheckpointThatDoesNotFitIsRefusedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ck.safetensors");
        Checkpoint.create().module("net", new Linear(3, 4, DType.F32, new Rng(2))).write(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.read(file).loadModule("net", new Linear(3, 5, DType.F32, new Rng(2))));
        assertTrue(e.getMessage().contains("'weight' has shape [4, 3], expected [5, 3]"), e.getMessage());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        IOException io = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertTrue(io.getMessage().contains("truncated"), io.getMessage());
        Files.writeString(file, "not a checkpoint at all");
        assertThrows(IOException.class, () -> Checkpoint.read(file));
    }

    /** Save after some steps, load into a fresh model, continue: bit-identical to never stopping. */
    @Test
    void aResumedTrainingStateContinuesExactly(@TempDir Path dir) throws IOException {
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1, 0.01, 1.0);
        Linear a = new Linear(3, 2, DType.F32, new Rng(5));
        TrainingState sa = new TrainingState(a);
        NdArray x = NdArray.randn(new Rng(6), DType.F32, 1, 8, 3);
        Runnable stepA = () -> {
            try (Graph g = Graph.record()) {
                F.sum(F.square(a.forward(x))).backward();
            }
            sa.apply(step);
        };
        for (int i = 0; i < 3; i++) {
            stepA.run();
        }
        sa.save(dir, Map.of("family", "test"));
        for (int i = 0; i < 4; i++) {
            stepA.run();
        }
        Linear b = new Linear(3, 2, DType.F32, new Rng(77));
        TrainingState sb = new TrainingState(b);
        assertEquals("test", sb.load(dir).meta("family"));
        assertEquals(3, sb.steps());
        for (int i = 0; i < 4; i++) {
            try (Graph g = Graph.record()) {
                F.sum(F.square(b.forward(x))).backward();
            }
            sb.apply(step);
        }
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
        assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray());
    }

    /** The EMA travels with the weights and the moments: a resumed state samples from the same average. */
    @Test
    void aTrainingStateWithAnEmaSavesAndRestoresIt(@TempDir Path dir) throws IOException {
        GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1);
        Linear a = new Linear(3, 2, DType.F32, new Rng(5));
        Ema emaA = new Ema(a, 0.9);
        TrainingState sa = new TrainingState(a, emaA);
        NdArray x = NdArray.randn(new Rng(6), DType.F32, 1, 8, 3);
        for (int i = 0; i < 3; i++) {
            try (Graph g = Graph.record()) {
                F.sum(F.square(a.forward(x))).backward();
            }
            sa.apply(step);
            emaA.update(Math.min(0.9, (1.0 + i) / (10.0 + i)));
        }
        sa.save(dir, Map.of());
        Linear b = new Linear(3, 2, DType.F32, new Rng(77));
        Ema emaB = new Ema(b, 0.9);
        new TrainingState(b, emaB).load(dir);
        assertArrayEquals(emaA.state().get("weight").toFloatArray(), emaB.state().get("weight").toFloatArray());
        assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
        // the average is not the weights: three steps with decays 0.1, 2/11, 3/12 from the initial values
        assertTrue(Math.abs(emaB.state().get("weight").getFlat(0) - b.weight().getFlat(0)) > 1e-4);

        Path plain = dir.resolve("plain");
        Files.createDirectories(plain);
        new TrainingState(new Linear(3, 2, DType.F32, new Rng(5))).save(plain, Map.of());
        Linear c = new Linear(3, 2, DType.F32, new Rng(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingState(c, new Ema(c, 0.9)).load(plain));
        assertTrue(e.getMessage().contains("no EMA"), e.getMessage());
    }

    /**
     * A family's load: no file, another identity (refused before the module changes) and a misshapen module each fail
     * as an IOException naming the family, the key or the misfit; a matching identity loads the weights.
     */
    @Test
    void aFamilysLoadChecksTheFileAndTheIdentityBeforeTheWeights(@TempDir Path dir) throws IOException {
        IOException none = assertThrows(IOException.class, () -> new TrainingState(new Linear(3, 2, DType.F32,
                new Rng(1))).load(dir, "toy", Map.of("family", "toy")));
        assertTrue(none.getMessage().contains("incomplete toy checkpoint") && none.getMessage().contains(TrainingState.FILE),
                none.getMessage());

        Linear saved = new Linear(3, 2, DType.F32, new Rng(1));
        new TrainingState(saved).save(dir, Map.of("family", "toy", "config", "{\"hidden\":2}"));
        Linear other = new Linear(3, 2, DType.F32, new Rng(2));
        double before = other.weight().getFlat(0);
        IOException another = assertThrows(IOException.class, () -> new TrainingState(other).load(dir, "toy",
                Map.of("family", "toy", "config", "{\"hidden\":4}")));
        assertTrue(another.getMessage().contains("is of another model: config is {\"hidden\":2}, this model's is "
                + "{\"hidden\":4}"), another.getMessage());
        assertEquals(before, other.weight().getFlat(0), "the refused checkpoint changed nothing");

        IOException misfit = assertThrows(IOException.class, () -> new TrainingState(new Linear(4, 2, DType.F32,
                new Rng(3))).load(dir, "toy", Map.of("family", "toy")));
        assertTrue(misfit.getMessage().contains("does not fit"), misfit.getMessage());

        new TrainingState(other).load(dir, "toy", Map.of("family", "toy", "config", "{\"hidden\":2}"));
        assertEquals(saved.weight().getFlat(0), other.weight().getFlat(0));
    }

    /** update(decay) is the same average with that step's decay: shadow = d shadow + (1 - d) param. */
    @Test
    void emaWithAStepDecay() {
        Linear l = new Linear(2, 1, DType.F64, new Rng(1));
        double w0 = l.weight().getFlat(0);
        Ema ema = new Ema(l, 0.999);
        l.weight().setFlat(0, w0 + 1);
        ema.update(0.25);
        assertEquals(w0 + 0.75, ema.state().get("weight").getFlat(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ema.update(1.0));
    }
}
