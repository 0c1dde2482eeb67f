package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.genbench.testing.Required;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genbench side of bench/torch_vs_genbench.sh: the same MLP VAE and the same DCGAN as bench/torch_gan_vae.py,
 * with the same batch size, trained by real workbench runs (features core, classic, deep) on the first N Fashion-MNIST
 * training images, for WARMUP + STEPS steps.
 *
 * <p>The timed window is the same on both sides: from the end of step WARMUP to the end of step WARMUP + STEPS,
 * i.e. exactly STEPS steps after the same warm-up. Here it is read from the run's own metrics.jsonl, whose lines the
 * workbench stamps with {@code elapsed} (a monotonic clock) when the trainer logs a step; so the harness knows
 * nothing of the model or trainer beyond "it logs every step", and times what a user's run does (batch hand-off,
 * shuffling, the steps, the log). Thread counts come from the run's provenance.json, as the workbench saw them.
 * Prints one line per model in the script's format. Settings: -Dbench.gan.steps, -Dbench.vae.steps,
 * -Dbench.gan.warmup, -Dbench.vae.warmup, -Dbench.batch, -Dbench.n, -Dbench.out (a file the lines are appended to).
 */
@Tag("benchmark")
class TorchComparisonBenchmarkIT {
    static final int N = Integer.getInteger("bench.n", 10000);
    static final int BATCH = Integer.getInteger("bench.batch", 64);
    static final int GAN_STEPS = Integer.getInteger("bench.gan.steps", 100);
    static final int VAE_STEPS = Integer.getInteger("bench.vae.steps", 1000);
    static final int GAN_WARMUP = Integer.getInteger("bench.gan.warmup", 20);
    static final int VAE_WARMUP = Integer.getInteger("bench.vae.warmup", 200);

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        Required.fashionMnist();
        host = new TestHost(workspace, List.of("core", "classic", "deep"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void dcgan() throws Exception {
        run("bench-gan", "dcgan", "adversarial", GAN_WARMUP, GAN_STEPS, """
                "model": { "type": "gan", "config": { "arch": "dcgan", "latentDim": 64, "gChannels": 64, "dChannels": 64 } },
                "trainer": { "type": "adversarial", "config": { "steps": %d, "batchSize": %d, "checkpointEvery": 0,
                             "logEvery": 1 } }
                """.formatted(GAN_WARMUP + GAN_STEPS, BATCH), "");
    }

    @Test
    void vae() throws Exception {
        run("bench-vae", "vae", "variational", VAE_WARMUP, VAE_STEPS, """
                "model": { "type": "vae", "config": { "hidden": 256, "latent": 16, "likelihood": "bernoulli" } },
                "trainer": { "type": "variational", "config": { "steps": %d, "batchSize": %d, "learningRate": 0.001,
                             "warmupSteps": 0, "checkpointEvery": 0, "evalExamples": 0, "pictures": false } }
                """.formatted(VAE_WARMUP + VAE_STEPS, BATCH), ", \"binarize\": \"threshold\"");
    }

    private static void run(String name, String label, String trainer, int warmup, int steps, String modelAndTrainer,
                            String dataExtra) throws Exception {
        host.spec(name, """
                { "name": "%s", "seed": 1,
                  "dataset": { "type": "fashion-mnist", "config": { "train": %d, "test": 100 %s } },
                  %s,
                  "samplers": [], "evaluators": [] }
                """.formatted(name, N, dataExtra, modelAndTrainer));
        TestHost.Result r = host.exec("run", name + ".json");
        assertEquals(0, r.status(), r::toString);
        Path dir = host.runDir(name);
        double seconds = window(dir.resolve("metrics.jsonl"), trainer, warmup, warmup + steps);
        JsonNode numerics = TestHost.read(dir.resolve("provenance.json")).path("numerics");
        String line = String.format(Locale.ROOT, "genbench %s batch=%d warmup=%d steps=%d seconds=%.3f samples_per_s=%.1f"
                        + " threads=%s blas_threads=%s blas=%s%n", label, BATCH, warmup, steps, seconds,
                steps * (double) BATCH / seconds, numerics.path("nd4jThreads").asText("?"),
                numerics.path("blasThreads").asText("?"), numerics.path("blas").asText("?").replace(' ', '_'));
        System.out.print(line);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) { // the script's table reads these lines from here, not from Maven's output
            Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Seconds between the trainer's log lines for steps {@code from} and {@code to} (both must be logged). */
    static double window(Path log, String trainer, long from, long to) throws Exception {
        Map<Long, Double> elapsed = new HashMap<>();
        for (String l : Files.readAllLines(log)) {
            JsonNode n = TestHost.JSON.readTree(l);
            if (n.path("component").asText().equals(trainer) && n.path("phase").asText().equals("train")
                    && n.has("elapsed")) {
                elapsed.put(n.path("step").asLong(), n.path("elapsed").asDouble());
            }
        }
        assertTrue(elapsed.containsKey(from) && elapsed.containsKey(to), "the trainer '" + trainer
                + "' must log steps " + from + " and " + to + " (it logged " + elapsed.size() + " steps)");
        return elapsed.get(to) - elapsed.get(from);
    }
}
