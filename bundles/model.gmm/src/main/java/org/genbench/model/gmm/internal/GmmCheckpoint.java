package org.genbench.model.gmm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * The GMM's checkpoint: one JSON file with the settings and every parameter. JSON keeps it readable from any
 * language, and Jackson writes doubles in their shortest round-trip form, so a reload is bit-identical. Version 2
 * writes the covariances in scikit-learn's shape for the structure ({@code covariances_}: full [k][d][d], tied
 * [d][d], diag [k][d], spherical [k]), or, for a set built from initial precisions, those precisions
 * ({@code precisions}) so that the reload factorizes exactly what was used. Version 1 (full only) still reads.
 */
final class GmmCheckpoint {
    static final String FILE = "gmm.json";
    static final String FORMAT = "genbench-gmm";
    static final int VERSION = 2;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GmmCheckpoint() {
    }

    static void write(Path directory, GmmFamily.Config config, GmmParameters p) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("k", p.components());
        root.put("d", p.dimension());
        ObjectNode c = root.putObject("config");
        c.put("components", config.components());
        c.put("covariance", config.covariance());
        c.put("regCovar", config.regCovar());
        c.put("init", config.init());
        c.put("kmeansIterations", config.kmeansIterations());
        ArrayNode w = root.putArray("weights");
        for (double v : p.weights()) {
            w.add(v);
        }
        ArrayNode means = root.putArray("means");
        for (double[] m : p.means()) {
            vector(means.addArray(), m);
        }
        double[][][] precisions = p.precisionBlocks();
        root.set(precisions != null ? "precisions" : "covariances", MAPPER.valueToTree(
                p.type().fromBlocks(precisions != null ? precisions : p.covarianceBlocks())));
        Files.createDirectories(directory);
        Path tmp = directory.resolve(FILE + ".tmp");
        Path target = directory.resolve(FILE);
        Files.write(tmp, MAPPER.writeValueAsBytes(root));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Reads parameters written for a model with the same settings and dimension. Any missing field, wrong shape,
     * or setting that differs from {@code expected} fails with an IOException that names it.
     */
    static GmmParameters read(Path directory, GmmFamily.Config expected, int expectedD) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no GMM checkpoint (" + FILE + ") in " + directory);
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
        String format = text(root, "format", file);
        if (!FORMAT.equals(format)) {
            throw new IOException(file + ": field 'format' must be '" + FORMAT + "', was '" + format + "'");
        }
        int version = integer(root, "version", file);
        if (version != 1 && version != VERSION) {
            throw new IOException(file + ": field 'version' is " + version + ", this bundle reads versions 1 and "
                    + VERSION);
        }
        int k = integer(root, "k", file);
        int d = integer(root, "d", file);
        JsonNode c = field(root, "config", file);
        GmmFamily.Config saved;
        try {
            saved = new GmmFamily.Config(integer(c, "components", file), text(c, "covariance", file),
                    number(c, "regCovar", file), text(c, "init", file), integer(c, "kmeansIterations", file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": field 'config': " + e.getMessage(), e);
        }
        mustEqual("config.components", saved.components(), expected.components(), file);
        if (version == 1) {
            mustEqual("config.covariance", saved.covariance(), GmmFamily.FULL, file);
        }
        mustEqual("config.covariance", saved.covariance(), expected.covariance(), file);
        mustEqual("config.regCovar", saved.regCovar(), expected.regCovar(), file);
        mustEqual("config.init", saved.init(), expected.init(), file);
        mustEqual("config.kmeansIterations", saved.kmeansIterations(), expected.kmeansIterations(), file);
        mustEqual("k", k, expected.components(), file);
        mustEqual("d", d, expectedD, file);

        double[] weights = vector(field(root, "weights", file), k, "weights", file);
        JsonNode meansNode = array(field(root, "means", file), k, "means", file);
        double[][] means = new double[k][];
        for (int j = 0; j < k; j++) {
            means[j] = vector(meansNode.get(j), d, "means[" + j + "]", file);
        }
        CovarianceType type = saved.covarianceType();
        boolean precise = root.has("precisions") && !root.has("covariances");
        String name = precise ? "precisions" : "covariances";
        double[][][] blocks = blocks(field(root, name, file), type, k, d, name, file);
        try {
            return precise ? GmmParameters.fromPrecisions(type, weights, means, blocks)
                    : GmmParameters.fromCovariances(type, weights, means, blocks);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": inconsistent parameters: " + e.getMessage(), e);
        }
    }

    /** Blocks from the structure's scikit-learn shape, each dimension checked and named. */
    private static double[][][] blocks(JsonNode n, CovarianceType type, int k, int d, String name, Path file)
            throws IOException {
        Object natural = switch (type) {
            case FULL -> {
                JsonNode all = array(n, k, name, file);
                double[][][] out = new double[k][][];
                for (int j = 0; j < k; j++) {
                    out[j] = matrix(all.get(j), d, d, name + "[" + j + "]", file);
                }
                yield out;
            }
            case TIED -> matrix(n, d, d, name, file);
            case DIAG -> matrix(n, k, d, name, file);
            case SPHERICAL -> vector(n, k, name, file);
        };
        return type.toBlocks(natural);
    }

    private static double[][] matrix(JsonNode n, int rows, int cols, String name, Path file) throws IOException {
        JsonNode all = array(n, rows, name, file);
        double[][] out = new double[rows][];
        for (int a = 0; a < rows; a++) {
            out[a] = vector(all.get(a), cols, name + "[" + a + "]", file);
        }
        return out;
    }

    private static void vector(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
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

    private static int integer(JsonNode parent, String name, Path file) throws IOException {
        JsonNode n = field(parent, name, file);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IOException(file + ": field '" + name + "' must be an integer, was " + n);
        }
        return n.asInt();
    }

    private static double number(JsonNode parent, String name, Path file) throws IOException {
        JsonNode n = field(parent, name, file);
        if (!n.isNumber()) {
            throw new IOException(file + ": field '" + name + "' must be a number, was " + n);
        }
        return n.asDouble();
    }

    private static JsonNode array(JsonNode n, int length, String name, Path file) throws IOException {
        if (n == null || !n.isArray()) {
            throw new IOException(file + ": field '" + name + "' must be an array of " + length + ", was " + n);
        }
        if (n.size() != length) {
            throw new IOException(file + ": field '" + name + "' has " + n.size() + " entries, expected " + length);
        }
        return n;
    }

    private static double[] vector(JsonNode n, int length, String name, Path file) throws IOException {
        array(n, length, name, file);
        double[] v = new double[length];
        for (int i = 0; i < length; i++) {
            JsonNode e = n.get(i);
            if (!e.isNumber()) {
                throw new IOException(file + ": field '" + name + "[" + i + "]' must be a number, was " + e);
            }
            v[i] = e.asDouble();
        }
        return v;
    }

    private static void mustEqual(String name, Object saved, Object expected, Path file) throws IOException {
        if (!Objects.equals(saved, expected)) {
            throw new IOException(file + ": field '" + name + "' is " + saved + " but this model has " + expected
                    + "; the checkpoint belongs to a differently configured model");
        }
    }
}
