package org.genbench.model.vae.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A VAE's checkpoint: {@code vae.json} (format, settings, dimensions, Adam's step count, the arrays' names and
 * shapes) and {@code arrays.bin} (weights, then Adam's first and second moments, each in ND4J's binary form: raw
 * float32 values and their shape). Neither names a Java class, so loading needs no class loader that can see this
 * bundle, and the values come back bit for bit.
 */
final class VaeCheckpoint {
    static final String JSON = "vae.json";
    static final String ARRAYS = "arrays.bin";
    static final String FORMAT = "genbench-vae";
    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VaeCheckpoint() {
    }

    static void write(Path directory, VaeModel m) throws IOException {
        Files.createDirectories(directory);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("family", m.family);
        ObjectNode c = root.putObject("config");
        c.put("architecture", m.settings.architecture());
        c.put("hidden", m.settings.hidden());
        c.put("latent", m.settings.latent());
        c.put("likelihood", m.settings.likelihood());
        c.put("sigma", m.settings.sigma());
        c.put("boundSamples", m.settings.boundSamples());
        c.put("sampleOutput", m.settings.sampleOutput());
        root.put("dimension", m.d);
        root.put("classes", m.classes);
        root.put("steps", m.steps);
        root.put("optimizer", "adam");
        var arrays = root.putArray("arrays");
        for (String group : new String[] {"", "adam.m.", "adam.v."}) {
            for (int i = 0; i < m.params.length; i++) {
                arrays.addObject().put("name", group + m.names()[i]).put("shape", Arrays.toString(m.params[i].shape()));
            }
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(directory.resolve(ARRAYS)), 1 << 16))) {
            for (INDArray[] group : new INDArray[][] {m.params, m.adamM, m.adamV}) {
                for (INDArray a : group) {
                    Nd4j.write(a, out);
                }
            }
        }
        Files.write(directory.resolve(JSON), MAPPER.writeValueAsBytes(root));
    }

    /** Loads into {@code m}; any missing file, other settings or shape fails with an IOException naming it. */
    static void read(Path directory, VaeModel m) throws IOException {
        Path json = directory.resolve(JSON);
        Path bin = directory.resolve(ARRAYS);
        for (Path p : new Path[] {json, bin}) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString(), null, "incomplete VAE checkpoint in " + directory);
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
        expect(json, "family", root.path("family").asText(), m.family);
        JsonNode c = root.path("config");
        expect(json, "config.architecture", c.path("architecture").asText(), m.settings.architecture());
        expect(json, "config.hidden", c.path("hidden").asInt(), m.settings.hidden());
        expect(json, "config.latent", c.path("latent").asInt(), m.settings.latent());
        expect(json, "config.likelihood", c.path("likelihood").asText(), m.settings.likelihood());
        expect(json, "config.sigma", c.path("sigma").asDouble(), m.settings.sigma());
        expect(json, "dimension", root.path("dimension").asInt(), m.d);
        expect(json, "classes", root.path("classes").asInt(), m.classes);
        JsonNode steps = root.get("steps");
        if (steps == null || !steps.canConvertToLong() || steps.asLong() < 0) {
            throw new IOException(json + ": field 'steps' is missing or not a count: " + steps);
        }
        long[][] shapes = m.shapes();
        String[] names = m.names();
        int count = names.length;
        INDArray[][] loaded = new INDArray[3][count];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(bin), 1 << 16))) {
            for (int g = 0; g < 3; g++) {
                for (int i = 0; i < count; i++) {
                    INDArray a;
                    try {
                        a = Nd4j.read(in);
                    } catch (RuntimeException e) {
                        throw new IOException(bin + ": cannot read array " + (g * count + i)
                                + " (" + names[i] + "): " + e, e);
                    }
                    if (!Arrays.equals(a.shape(), shapes[i]) || a.dataType() != DataType.FLOAT) {
                        throw new IOException(bin + ": array " + names[i] + " is " + a.dataType()
                                + Arrays.toString(a.shape()) + ", expected FLOAT" + Arrays.toString(shapes[i]));
                    }
                    loaded[g][i] = a;
                }
            }
            if (in.read() != -1) {
                throw new IOException(bin + ": trailing bytes after the " + 3 * count + " arrays");
            }
        }
        System.arraycopy(loaded[0], 0, m.params, 0, count);
        System.arraycopy(loaded[1], 0, m.adamM, 0, count);
        System.arraycopy(loaded[2], 0, m.adamV, 0, count);
        m.steps = steps.asLong();
    }

    private static void expect(Path file, String field, Object saved, Object expected) throws IOException {
        if (!Objects.equals(saved, expected)) {
            throw new IOException(file + ": field '" + field + "' is " + saved + " but this model has " + expected
                    + "; the checkpoint belongs to a differently configured model");
        }
    }
}
