package org.genbench.model.rbm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint of an RBM or a DBN: {@code rbm.json} (format, family, the settings that shape the model, and per
 * layer its sizes, unit kind, step count and data count) and {@code arrays.bin} (per layer W, b, c, their momentum
 * buffers and the running data mean, as big-endian float64 in that order). No Java class names, so any bundle version
 * that knows the format loads it; values come back bit for bit.
 */
final class Checkpoint {
    static final String JSON = "rbm.json";
    static final String ARRAYS = "arrays.bin";
    static final String FORMAT = "genbench-rbm";
    static final int VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {
    }

    static void write(Path directory, String family, Map<String, Object> settings, List<RbmLayer> layers)
            throws IOException {
        Files.createDirectories(directory);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("family", family);
        root.set("settings", MAPPER.valueToTree(settings));
        root.put("optimizer", "sgd-momentum");
        ArrayNode list = root.putArray("layers");
        for (RbmLayer l : layers) {
            list.addObject().put("visible", l.d).put("hidden", l.h).put("gaussian", l.gaussian).put("sigma", l.sigma)
                    .put("steps", l.steps).put("dataCount", l.dataCount);
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(directory.resolve(ARRAYS)), 1 << 16))) {
            for (RbmLayer l : layers) {
                for (double[] a : arrays(l)) {
                    for (double v : a) {
                        out.writeDouble(v);
                    }
                }
            }
        }
        Files.write(directory.resolve(JSON), MAPPER.writeValueAsBytes(root));
    }

    /** Loads into {@code layers}; a missing file, other settings or sizes, or a short file fail naming what. */
    static void read(Path directory, String family, Map<String, Object> settings, List<RbmLayer> layers)
            throws IOException {
        Path json = directory.resolve(JSON);
        Path bin = directory.resolve(ARRAYS);
        for (Path p : new Path[] {json, bin}) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "incomplete RBM checkpoint in " + directory);
            }
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(json + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        expect(json, "format", root.path("format").asText(), FORMAT);
        expect(json, "version", root.path("version").asInt(), VERSION);
        expect(json, "family", root.path("family").asText(), family);
        JsonNode wanted = MAPPER.valueToTree(settings);
        if (!wanted.equals(root.path("settings"))) {
            throw new IOException(json + ": the checkpoint was written with settings " + root.path("settings")
                    + ", this model has " + wanted);
        }
        JsonNode list = root.path("layers");
        expect(json, "layers (count)", list.size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            RbmLayer l = layers.get(i);
            JsonNode n = list.get(i);
            expect(json, "layers[" + i + "].visible", n.path("visible").asInt(), l.d);
            expect(json, "layers[" + i + "].hidden", n.path("hidden").asInt(), l.h);
            expect(json, "layers[" + i + "].gaussian", n.path("gaussian").asBoolean(), l.gaussian);
            expect(json, "layers[" + i + "].sigma", n.path("sigma").asDouble(), l.sigma);
            for (String f : new String[] {"steps", "dataCount"}) {
                if (!n.path(f).canConvertToLong() || n.path(f).asLong() < 0) {
                    throw new IOException(json + ": layers[" + i + "]." + f + " is missing or not a count");
                }
            }
        }
        // Read everything before touching the model, so that a short file leaves it as it was.
        double[][][] values = new double[layers.size()][][];
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(bin), 1 << 16);
             DataInputStream in = new DataInputStream(raw)) {
            for (int i = 0; i < layers.size(); i++) {
                double[][] target = arrays(layers.get(i));
                values[i] = new double[target.length][];
                for (int a = 0; a < target.length; a++) {
                    values[i][a] = new double[target[a].length];
                    for (int k = 0; k < target[a].length; k++) {
                        values[i][a][k] = in.readDouble();
                    }
                }
            }
            if (in.read() != -1) {
                throw new IOException(bin + " is longer than the layers in " + json + " need");
            }
        } catch (EOFException e) {
            throw new IOException(bin + " is shorter than the layers in " + json + " need", e);
        }
        for (int i = 0; i < layers.size(); i++) {
            RbmLayer l = layers.get(i);
            double[][] target = arrays(l);
            for (int a = 0; a < target.length; a++) {
                System.arraycopy(values[i][a], 0, target[a], 0, target[a].length);
            }
            l.steps = list.get(i).path("steps").asLong();
            l.dataCount = list.get(i).path("dataCount").asLong();
        }
    }

    private static double[][] arrays(RbmLayer l) {
        return new double[][] {l.w, l.b, l.c, l.uw, l.ub, l.uc, l.dataMean};
    }

    private static void expect(Path file, String field, Object found, Object wanted) throws IOException {
        if (!found.equals(wanted)) {
            throw new IOException(file + ": " + field + " is " + found + ", this model has " + wanted);
        }
    }
}
