package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genbench side of bench/torch_vs_genbench.sh: the same MLP VAE and the same DCGAN as bench/torch_gan_vae.py,
 * with the same batch size, trained by real workbench runs (features core, classic, deep) on the first N Fashion-MNIST
 * training images. Throughput is steps * batch over the run's {@code train} phase seconds (run.json), which includes
 * the trainer's batch hand-off and shuffling. Prints one line per model in the script's format. Settings:
 * -Dbench.gan.steps, -Dbench.vae.steps, -Dbench.batch, -Dbench.n.
 */
@Tag("benchmark")
class TorchComparisonBenchmarkIT {
    static final int N = Integer.getInteger("bench.n", 10000);
    static final int BATCH = Integer.getInteger("bench.batch", 64);
    static final int GAN_STEPS = Integer.getInteger("bench.gan.steps", 100);
    static final int VAE_STEPS = Integer.getInteger("bench.vae.steps", 1000);

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace, List.of("core", "classic", "deep"));
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void dcgan() throws Exception {
        run("bench-gan", "dcgan", "adversarial", GAN_STEPS, """
                "model": { "type": "gan", "config": { "arch": "dcgan", "latentDim": 64, "gChannels": 64, "dChannels": 64 } },
                "trainer": { "type": "adversarial", "config": { "steps": %d, "batchSize": %d, "checkpointEvery": 0,
                             "logEvery": 10 } }
                """.formatted(GAN_STEPS, BATCH), "");
    }

    @Test
    void vae() throws Exception {
        run("bench-vae", "vae", "variational", VAE_STEPS, """
                "model": { "type": "vae", "config": { "hidden": 256, "latent": 16, "likelihood": "bernoulli" } },
                "trainer": { "type": "variational", "config": { "steps": %d, "batchSize": %d, "learningRate": 0.001,
                             "warmupSteps": 0, "checkpointEvery": 0, "evalExamples": 0, "pictures": false } }
                """.formatted(VAE_STEPS, BATCH), ", \"binarize\": \"threshold\"");
    }

    private static void run(String name, String label, String trainer, int steps, String modelAndTrainer, String dataExtra)
            throws Exception {
        host.spec(name, """
                { "name": "%s", "seed": 1,
                  "dataset": { "type": "fashion-mnist", "config": { "train": %d, "test": 100 %s } },
                  %s,
                  "samplers": [], "evaluators": [] }
                """.formatted(name, N, dataExtra, modelAndTrainer));
        TestHost.Result r = host.exec("run", name + ".json");
        assertEquals(0, r.status(), r::toString);
        // run.json's seconds per phase are keyed "<phase> <component>"
        double seconds = TestHost.read(host.runDir(name).resolve("run.json")).path("seconds").path("train " + trainer)
                .asDouble(Double.NaN);
        String line = String.format("genbench %s batch=%d steps=%d seconds=%.3f samples_per_s=%.1f%n", label, BATCH, steps,
                seconds, steps * (double) BATCH / seconds);
        System.out.print(line);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) { // the script's table reads these lines from here, not from Maven's output
            Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
