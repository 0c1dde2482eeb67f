package org.genbench.model.gan.internal;

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
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GAN's checkpoint: {@code gan.json} (format, settings, data shape, classes, Adam step counts) and one binary
 * file per network holding its parameters and Adam's two moments ({@code Nd4j.write}: a header with type and shape,
 * then the raw values; no class names, so it loads through any class loader). A reload is bit-identical, so a
 * resumed run continues with exactly the numbers of an uninterrupted one.
 */
final class GanCheckpoint {
    static final String FILE = "gan.json";
    static final String GENERATOR = "generator.nd4j";
    static final String DISCRIMINATOR = "discriminator.nd4j";
    static final String FORMAT = "genbench-gan";
    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GanCheckpoint() {
    }

    static void write(Path directory, GanModel model) throws IOException {
        Files.createDirectories(directory);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.set("config", MAPPER.valueToTree(model.config));
        root.set("sampleShape", MAPPER.valueToTree(model.sampleShape));
        root.put("classes", model.classes);
        root.put("generatorParameters", model.generator.size());
        root.put("discriminatorParameters", model.discriminator.size());
        root.put("generatorAdamSteps", model.generator.adamSteps);
        root.put("discriminatorAdamSteps", model.discriminator.adamSteps);
        writeNetwork(directory.resolve(GENERATOR), model.generator);
        writeNetwork(directory.resolve(DISCRIMINATOR), model.discriminator);
        // the JSON last: a directory with gan.json has both array files
        atomicWrite(directory.resolve(FILE), MAPPER.writeValueAsBytes(root));
    }

    /** Restores {@code model} from {@code directory}; anything missing or written for another model fails loudly. */
    static void read(Path directory, GanModel model) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no GAN checkpoint (" + FILE + ") in " + directory);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected a JSON object");
        }
        mustEqual("format", text(root, "format", file), FORMAT, file);
        mustEqual("version", field(root, "version", file).asInt(), VERSION, file);
        GanFamily.Config saved;
        try {
            saved = MAPPER.treeToValue(field(root, "config", file), GanFamily.Config.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IOException(file + ": field 'config': " + e.getMessage(), e);
        }
        mustEqual("config", saved, model.config, file);
        long[] shape = MAPPER.treeToValue(field(root, "sampleShape", file), long[].class);
        mustEqual("sampleShape", Arrays.toString(shape), Arrays.toString(model.sampleShape), file);
        mustEqual("classes", field(root, "classes", file).asInt(), model.classes, file);
        mustEqual("generatorParameters", field(root, "generatorParameters", file).asLong(), model.generator.size(), file);
        mustEqual("discriminatorParameters", field(root, "discriminatorParameters", file).asLong(),
                model.discriminator.size(), file);
        long gSteps = field(root, "generatorAdamSteps", file).asLong();
        long dSteps = field(root, "discriminatorAdamSteps", file).asLong();
        readNetwork(directory.resolve(GENERATOR), model.generator);
        readNetwork(directory.resolve(DISCRIMINATOR), model.discriminator);
        model.generator.adamSteps = gSteps;
        model.discriminator.adamSteps = dSteps;
    }

    private static void writeNetwork(Path file, Network net) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            Nd4j.write(net.params, out);
            Nd4j.write(net.adamM, out);
            Nd4j.write(net.adamV, out);
        }
        move(tmp, file);
    }

    private static void readNetwork(Path file, Network net) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "the GAN checkpoint lacks " + file.getFileName());
        }
        INDArray[] arrays = new INDArray[3];
        String[] names = {"parameters", "Adam first moment", "Adam second moment"};
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            for (int i = 0; i < 3; i++) {
                try {
                    arrays[i] = Nd4j.read(in);
                } catch (RuntimeException e) {
                    throw new IOException(file + ": cannot read the " + names[i] + ": " + e.getMessage(), e);
                }
                if (arrays[i].length() != net.size() || arrays[i].dataType() != net.params.dataType()) {
                    throw new IOException(file + ": the " + names[i] + " hold " + arrays[i].length() + " "
                            + arrays[i].dataType() + " values, this network has " + net.size() + " "
                            + net.params.dataType());
                }
            }
        }
        net.params.assign(arrays[0].reshape(net.params.shape()));
        net.adamM.assign(arrays[1].reshape(net.params.shape()));
        net.adamV.assign(arrays[2].reshape(net.params.shape()));
    }

    private static void atomicWrite(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        move(tmp, target);
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static JsonNode field(JsonNode parent, String name, Path file) throws IOException {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            throw new IOException(file + ": field '" + name + "' is missing");
        }
        return n;
    }

    private static String text(JsonNode parent, String name, Path file) throws IOException {
        JsonNode n = field(parent, name, file);
        if (!n.isTextual()) {
            throw new IOException(file + ": field '" + name + "' must be a string, was " + n);
        }
        return n.asText();
    }

    private static void mustEqual(String name, Object saved, Object expected, Path file) throws IOException {
        if (!Objects.equals(saved, expected)) {
            throw new IOException(file + ": field '" + name + "' is " + saved + " but this model has " + expected
                    + "; the checkpoint belongs to a differently configured model");
        }
    }
}
