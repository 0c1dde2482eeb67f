package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The genbench side of bench/flows_vs_torch.sh: RealNVP, MAF (8-bit Fashion-MNIST, dequantized, logit
 * pre-transform), MADE (the fixed binarization) and PixelCNN (8-bit) trained by real workbench runs with the
 * gradient trainer on the first N training images and scored by the likelihood evaluator on the first TEST test
 * images, with the architectures and settings of bench/torch_flows.py. Prints one line per family and seed in the
 * script's format; the training throughput is steps * batch over the run's train phase seconds. Settings (system
 * properties, which the script sets): bench.families, bench.seeds, bench.firstSeed, bench.n, bench.test,
 * bench.alpha, bench.lr and per family bench.&lt;family&gt;.steps, .batch.
 */
@Tag("benchmark")
class FlowsBenchmarkIT {
    static final int N = Integer.getInteger("bench.n", 10000);
    static final int TEST = Integer.getInteger("bench.test", 2000);
    static final int SEEDS = Integer.getInteger("bench.seeds", 1);
    static final int FIRST_SEED = Integer.getInteger("bench.firstSeed", 1);
    static final String ALPHA = System.getProperty("bench.alpha", "1e-6");
    static final String LR = System.getProperty("bench.lr", "0.001");
    static final List<String> FAMILIES = Arrays.asList(System.getProperty("bench.families", "realnvp,maf,made,pixelcnn")
            .split(","));

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

    /** The model's config per family: the same architecture as bench/torch_flows.py's defaults there. */
    static String model(String family) {
        return switch (family) {
            case "realnvp" -> "{ \"type\": \"realnvp\", \"config\": { \"scales\": 2, \"channels\": 16, \"blocks\": 1, \"norm\": \"actnorm\" } }";
            case "maf" -> "{ \"type\": \"maf\", \"config\": { \"layers\": 5, \"hidden\": 512, \"hiddenLayers\": 1, \"activation\": \"relu\", \"norm\": \"actnorm\" } }";
            case "made" -> "{ \"type\": \"made\", \"config\": { \"hidden\": 500, \"hiddenLayers\": 1, \"activation\": \"relu\", \"masks\": 1 } }";
            case "pixelcnn" -> "{ \"type\": \"pixelcnn\", \"config\": { \"channels\": 16, \"blocks\": 2, \"kernel\": 7, \"headChannels\": 32 } }";
            default -> throw new IllegalArgumentException(family);
        };
    }

    static int steps(String family) {
        return Integer.getInteger("bench." + family + ".steps", switch (family) {
            case "realnvp" -> 300;
            case "maf" -> 1000;
            case "made" -> 2000;
            default -> 300;
        });
    }

    static int batch(String family) {
        return Integer.getInteger("bench." + family + ".batch", switch (family) {
            case "realnvp", "pixelcnn" -> 32;
            default -> 100;
        });
    }

    @Test
    void families() throws Exception {
        for (String family : FAMILIES) {
            for (int seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
                run(family, seed);
            }
        }
    }

    private static void run(String family, int seed) throws Exception {
        String name = "bench-" + family + "-" + seed;
        String data = family.equals("made") ? "\"binarize\": \"fixed\""
                : family.equals("pixelcnn") ? "\"pixels\": \"8bit\"" : "\"pixels\": \"8bit\", \"logitAlpha\": " + ALPHA;
        int steps = steps(family);
        int batch = batch(family);
        host.spec(name, """
                { "name": "%s", "seed": %d,
                  "dataset": { "type": "fashion-mnist", "config": { "train": %d, "test": %d, %s } },
                  "model": %s,
                  "trainer": { "type": "gradient", "config": { "steps": %d, "batchSize": %d, "learningRate": %s,
                               "checkpointEvery": 0, "evalExamples": 0, "pictures": false } },
                  "samplers": [], "evaluators": [ { "type": "loglik" } ] }
                """.formatted(name, seed, N, TEST, data, model(family), steps, batch, LR));
        TestHost.Result r = host.exec("run", name + ".json");
        assertEquals(0, r.status(), r::toString);
        Path run = host.runDir(name);
        double seconds = TestHost.read(run.resolve("run.json")).path("seconds").path("train gradient").asDouble(Double.NaN);
        boolean binary = family.equals("made");
        double value = binary ? -TestHost.metric(run, "loglik", "test_loglik") : TestHost.metric(run, "loglik", "test_bits_per_dim");
        String line = String.format("genbench %s seed=%d batch=%d steps=%d metric=%s value=%.4f seconds=%.3f samples_per_s=%.1f%n",
                family, seed, batch, steps, binary ? "nats" : "bits_per_dim", value, seconds, steps * (double) batch / seconds);
        System.out.print(line);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) {
            Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
