package org.genbench.model.rbm.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genbench.nn.NdArray;
import org.genbench.nn.optim.Sgd;

/**
 * The checkpoint of an RBM or a DBN in the nn bundle's one format ({@code rbm.safetensors}: named float64 arrays and
 * string metadata, no Java class names): per layer {@code layer<i>/w}, {@code /b}, {@code /c} and
 * {@code /data_mean}, both optimizers' velocities and step counts, and metadata with the family, the settings that
 * shape the model and per layer its sizes, unit kind, momentum, weight decay, update and data counts. Loading checks
 * everything before it changes the model, and fails naming what does not fit.
 */
final class Checkpoint {
    static final String FILE = "rbm.safetensors";
    static final String FORMAT = "genbench-rbm/2";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    static void write(Path directory, String family, Map<String, Object> settings, List<RbmLayer> layers)
            throws IOException {
        Files.createDirectories(directory);
        org.genbench.nn.io.Checkpoint c = org.genbench.nn.io.Checkpoint.create()
                .meta("rbm.format", FORMAT)
                .meta("family", family)
                .meta("settings", JSON.writeValueAsString(settings))
                .meta("layers", Integer.toString(layers.size()));
        for (int i = 0; i < layers.size(); i++) {
            RbmLayer l = layers.get(i);
            String k = "layer" + i;
            c.put(k + "/w", l.weight).put(k + "/b", l.visibleBias).put(k + "/c", l.hiddenBias)
                    .put(k + "/data_mean", NdArray.wrap(l.dataMean, l.d))
                    .optimizer(k + ".weights", l.weightOptimizer())
                    .optimizer(k + ".biases", l.biasOptimizer())
                    .meta(k + ".shape", l.d + "x" + l.h + (l.gaussian ? " gaussian sigma=" + l.sigma : " bernoulli"))
                    .meta(k + ".momentum", Double.toString(l.momentum()))
                    .meta(k + ".weight_decay", Double.toString(l.weightDecay()))
                    .meta(k + ".steps", Long.toString(l.steps))
                    .meta(k + ".data_count", Long.toString(l.dataCount));
        }
        c.write(directory.resolve(FILE));
    }

    static void read(Path directory, String family, Map<String, Object> settings, List<RbmLayer> layers)
            throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "incomplete RBM checkpoint in " + directory);
        }
        org.genbench.nn.io.Checkpoint c = org.genbench.nn.io.Checkpoint.read(file);
        try {
            expect(file, "rbm.format", c.meta("rbm.format"), FORMAT);
            expect(file, "family", c.meta("family"), family);
            String wanted = JSON.writeValueAsString(settings);
            if (!JSON.readTree(c.meta("settings")).equals(JSON.readTree(wanted))) {
                throw new IOException(file + ": the checkpoint was written with settings " + c.meta("settings")
                        + ", this model has " + wanted);
            }
            expect(file, "layers", c.meta("layers"), Integer.toString(layers.size()));
            for (int i = 0; i < layers.size(); i++) {
                RbmLayer l = layers.get(i);
                String k = "layer" + i;
                expect(file, k + ".shape", c.meta(k + ".shape"), l.d + "x" + l.h
                        + (l.gaussian ? " gaussian sigma=" + l.sigma : " bernoulli"));
                for (String[] a : new String[][] {{"w", "" + (long) l.d * l.h}, {"b", "" + l.d}, {"c", "" + l.h},
                        {"data_mean", "" + l.d}}) {
                    NdArray saved = c.arrays().get(k + "/" + a[0]);
                    if (saved == null || saved.size() != Long.parseLong(a[1])) {
                        throw new IOException(file + ": array " + k + "/" + a[0] + " is "
                                + (saved == null ? "missing" : saved.size() + " values") + ", expected " + a[1]);
                    }
                }
                for (String f : new String[] {".steps", ".data_count", ".weights.optimizer.steps",
                        ".biases.optimizer.steps"}) {
                    if (Long.parseLong(c.meta(k + f)) < 0) {
                        throw new IOException(file + ": " + k + f + " is negative");
                    }
                }
                // The optimizers' state must fit before anything is changed: trial optimizers take it first.
                new Sgd(Map.of("w", NdArray.parameter("w", NdArray.wrap(new double[l.w.length], l.d, l.h))), 0, 0,
                        false).load(c.under(k + ".weights.optimizer"), 0);
                Map<String, NdArray> biases = new java.util.LinkedHashMap<>();
                biases.put("b", NdArray.parameter("b", NdArray.wrap(new double[l.d], l.d)));
                biases.put("c", NdArray.parameter("c", NdArray.wrap(new double[l.h], l.h)));
                new Sgd(biases, 0, 0, false).load(c.under(k + ".biases.optimizer"), 0);
            }
            for (int i = 0; i < layers.size(); i++) {
                RbmLayer l = layers.get(i);
                String k = "layer" + i;
                l.weight.assign(c.arrays().get(k + "/w"));
                l.visibleBias.assign(c.arrays().get(k + "/b"));
                l.hiddenBias.assign(c.arrays().get(k + "/c"));
                System.arraycopy(c.arrays().get(k + "/data_mean").toDoubleArray(), 0, l.dataMean, 0, l.d);
                l.restoreOptimizers(Double.parseDouble(c.meta(k + ".momentum")),
                        Double.parseDouble(c.meta(k + ".weight_decay")),
                        c.under(k + ".weights.optimizer"), Long.parseLong(c.meta(k + ".weights.optimizer.steps")),
                        c.under(k + ".biases.optimizer"), Long.parseLong(c.meta(k + ".biases.optimizer.steps")));
                l.steps = Long.parseLong(c.meta(k + ".steps"));
                l.dataCount = Long.parseLong(c.meta(k + ".data_count"));
            }
        } catch (IllegalArgumentException e) {
            // nn names what is missing or misshapen (a metadata key, an optimizer slot, a number)
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void expect(Path file, String field, String found, String wanted) throws IOException {
        if (!found.equals(wanted)) {
            throw new IOException(file + ": " + field + " is " + found + ", this model has " + wanted);
        }
    }
}
