package org.genbench.workbench.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genbench.api.spec.ComponentSpec;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.api.spec.Names;
import org.genbench.workbench.SpecException;

/**
 * Reads a spec strictly: JSON without duplicate keys, every field of the expected JSON type (no string for a
 * number, no fraction for an integer), names and ids that are safe path segments, bounded size and depth. Every
 * message names the field by its place in the spec ({@code samplers[1] (hmc).config.stepSize}) and says what was
 * expected; none carries a library's wording or a stack trace. Component settings are kept as JSON values here and
 * checked against the component's own settings record at compose time ({@link ConfigBinder}).
 */
final class SpecReader {
    /** Larger files are not specs; reading them whole would only waste memory. */
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_DEPTH = 32;
    static final int MAX_STRING = 1 << 16;
    private static final Set<String> TOP = Set.of("name", "seed", "dataset", "model", "trainer", "samplers", "evaluators");
    private static final Set<String> PART = Set.of("type", "id", "config");

    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING).maxNumberLength(100).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private SpecReader() {
    }

    /** Reads a spec file: a regular file of at most {@link #MAX_BYTES} bytes of UTF-8 JSON. */
    static ExperimentSpec read(Path file) throws SpecException, IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file + ": not a regular file", null);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new SpecException(file + ": larger than " + (MAX_BYTES >> 10) + " KiB; a spec is a short JSON file", null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SpecException(file + ": not UTF-8 text", null);
        }
        try {
            return parse(text);
        } catch (SpecException e) {
            throw new SpecException(file + ": " + e.getMessage(), null);
        }
    }

    static ExperimentSpec parse(String json) throws SpecException {
        if (json.length() > MAX_BYTES) {
            throw new SpecException("larger than " + (MAX_BYTES >> 10) + " KiB; a spec is a short JSON file", null);
        }
        JsonNode root;
        try {
            root = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SpecException(describeSyntax(e), null);
        }
        if (root == null || root.isMissingNode()) {
            throw new SpecException("the spec is empty; it is a JSON object with name, seed, dataset, model, ...", null);
        }
        try {
            return experiment(root);
        } catch (Problem p) {
            throw new SpecException(p.getMessage(), null);
        }
    }

    /** Every problem of the spec at once, each on its own line; a part with a problem is left out of the rest. */
    private static ExperimentSpec experiment(JsonNode root) {
        if (!root.isObject()) {
            throw new Problem("the spec must be a JSON object with name, seed, dataset, model, ...; got " + kind(root));
        }
        List<String> problems = new ArrayList<>();
        collect(problems, () -> unknownFields(root, TOP, ""));
        String name = collect(problems, () -> requiredString(root, "name"));
        Long seed = collect(problems, () -> seed(root));
        ComponentSpec dataset = collect(problems, () -> part(required(root, "dataset"), "dataset"));
        ComponentSpec model = collect(problems, () -> part(required(root, "model"), "model"));
        JsonNode t = root.get("trainer");
        ComponentSpec trainer = t == null || t.isNull() ? null : collect(problems, () -> part(t, "trainer"));
        List<ComponentSpec> samplers = parts(root, "samplers", problems);
        List<ComponentSpec> evaluators = parts(root, "evaluators", problems);
        if (problems.isEmpty()) {
            try {
                return new ExperimentSpec(name, seed, dataset, model, trainer, samplers, evaluators);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        throw new Problem(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems:\n  - " + String.join("\n  - ", problems));
    }

    private static <T> T collect(List<String> problems, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (Problem | IllegalArgumentException p) {
            problems.add(p.getMessage());
            return null;
        }
    }

    private static void collect(List<String> problems, Runnable check) {
        collect(problems, () -> {
            check.run();
            return null;
        });
    }

    private static long seed(JsonNode root) {
        JsonNode n = required(root, "seed");
        if (!n.isIntegralNumber()) {
            throw new Problem("seed: expected an integer, got " + show(n));
        }
        if (!n.canConvertToLong()) {
            throw new Problem("seed: must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ", was " + n.asText());
        }
        return n.longValue();
    }

    private static List<ComponentSpec> parts(JsonNode root, String field, List<String> problems) {
        JsonNode list = root.get(field);
        List<ComponentSpec> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            problems.add(field + ": expected a list of components, got " + show(list));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            int at = i;
            ComponentSpec part = collect(problems, () -> part(list.get(at), field + "[" + at + "]"));
            if (part != null) {
                out.add(part);
            }
        }
        return out;
    }

    private static ComponentSpec part(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new Problem(where + ": expected an object with a 'type', got " + show(node));
        }
        unknownFields(node, PART, where);
        JsonNode typeNode = node.get("type");
        if (typeNode == null || typeNode.isNull()) {
            throw new Problem(where + ".type is missing: name the component, e.g. {\"type\": \"" + example(where) + "\"}");
        }
        if (!typeNode.isTextual()) {
            throw new Problem(where + ".type: expected a string, got " + show(typeNode));
        }
        String type = typeNode.textValue();
        if (!Names.isSafe(type)) {
            throw new Problem(where + ".type must be " + Names.RULE + ", was " + Names.quote(type));
        }
        String label = where + " (" + type + ")";
        JsonNode idNode = node.get("id");
        String id = null;
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual()) {
                throw new Problem(label + ".id: expected a string, got " + show(idNode));
            }
            id = idNode.textValue();
            if (!Names.isSafe(id)) {
                throw new Problem(label + ".id must be " + Names.RULE + ", was " + Names.quote(id)
                        + "; the id names the component's files in the run directory");
            }
        }
        JsonNode config = node.get("config");
        Map<String, Object> values = new LinkedHashMap<>();
        if (config != null && !config.isNull()) {
            if (!config.isObject()) {
                throw new Problem(label + ".config: expected an object of settings, got " + show(config));
            }
            Iterator<Map.Entry<String, JsonNode>> fields = config.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                values.put(f.getKey(), value(f.getValue(), label + ".config." + key(f.getKey())));
            }
        }
        return new ComponentSpec(type, id, values);
    }

    /** A JSON value as plain Java: Integer, Long, BigInteger, Double, String, Boolean, null, List, Map. */
    private static Object value(JsonNode n, String where) {
        if (n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.isInt() ? (Object) n.intValue() : n.isLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw new Problem(where + ": " + n.decimalValue() + " is beyond the range of a number (about 1.8e308)");
            }
            return d;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                out.add(value(n.get(i), where + "[" + i + "]"));
            }
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(f -> out.put(f.getKey(), value(f.getValue(), where + "." + key(f.getKey()))));
        return out;
    }

    /** A key as it may appear in a message: as is when plain, else quoted and escaped. */
    static String key(String k) {
        return k.matches("[A-Za-z0-9_]{1,64}") ? k : Names.quote(k);
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            throw new Problem(field + " is missing" + switch (field) {
                case "seed" -> ": every random stream derives from it, e.g. \"seed\": 1";
                case "dataset" -> ", e.g. \"dataset\": {\"type\": \"toy\"}";
                case "model" -> ", e.g. \"model\": {\"type\": \"gmm\"}";
                default -> "";
            });
        }
        return n;
    }

    private static String requiredString(JsonNode node, String field) {
        JsonNode n = required(node, field);
        if (!n.isTextual()) {
            throw new Problem(field + ": expected a string, got " + show(n));
        }
        if (!Names.isSafe(n.textValue())) {
            throw new Problem(field + " must be " + Names.RULE + ", was " + Names.quote(n.textValue())
                    + "; it names the run's directory");
        }
        return n.textValue();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String where) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!known.contains(f)) {
                throw new Problem((where.isEmpty() ? "" : where + ": ") + "unknown field " + Names.quote(f) + " (known fields: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String example(String where) {
        if (where.startsWith("samplers")) {
            return "ancestral";
        }
        if (where.startsWith("evaluators")) {
            return "loglik";
        }
        return switch (where) {
            case "dataset" -> "toy";
            case "model" -> "gmm";
            default -> "em";
        };
    }

    /** A JSON value for a message, with its JSON kind: {@code "42" (a string)}. */
    static String show(JsonNode n) {
        String text = n.isTextual() ? Names.quote(n.textValue()).replace('\'', '"') : n.isContainerNode()
                ? (n.isArray() ? "a list" : "an object") : n.toString();
        return n.isContainerNode() || n.isNull() ? text : text + " (" + kind(n) + ")";
    }

    static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "true or false";
        }
        if (n.isNull()) {
            return "null";
        }
        return n.isArray() ? "a list" : "an object";
    }

    /** A syntax error in words: where (field and line/column) and what, without the parser's internals. */
    static String describeSyntax(JsonProcessingException e) {
        String path = "";
        if (e.getProcessor() instanceof JsonParser p && p.getParsingContext() != null) {
            path = pointerToPath(p.getParsingContext().pathAsPointer().toString());
        }
        String what;
        if (e instanceof StreamConstraintsException) {
            String m = e.getOriginalMessage();
            what = m.contains("nesting depth") ? "nested deeper than " + MAX_DEPTH + " levels"
                    : m.contains("Number value length") ? "a number with more than 100 digits"
                    : m.contains("String value length") ? "a string longer than " + MAX_STRING + " characters"
                    : "beyond the limits of a spec";
        } else {
            String m = e.getOriginalMessage() == null ? "invalid JSON" : e.getOriginalMessage();
            m = m.lines().findFirst().orElse(m);
            if (m.startsWith("Duplicate field")) {
                return "field '" + (path.isEmpty() ? m.substring(m.indexOf('\'') + 1, m.lastIndexOf('\'')) : path)
                        + "' appears twice" + location(e) + "; each field may appear once";
            }
            m = m.replaceAll("\\s*\\((?:start marker|for [A-Za-z]+ starting) at \\[Source: [^\\]]*\\]\\)", "")
                    .replaceAll(" \\(code \\d+\\)", "")
                    .replaceAll(":? ?enable `[^`]*` to allow", "")
                    .replaceAll("`[^`]*`", "")
                    .replace("((CTRL-CHAR", "(a control character")
                    .replace("Non-standard token", "Not a JSON value:");
            what = m.trim();
        }
        return "not valid JSON" + location(e) + (path.isEmpty() ? "" : " in '" + path + "'") + ": " + what;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /** {@code /samplers/1/config} -> {@code samplers[1].config}. */
    static String pointerToPath(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String token : pointer.split("/")) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(token).append(']');
            } else {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(token.replace("~1", "/").replace("~0", "~"));
            }
        }
        return sb.toString();
    }

    /** A problem found while walking the tree; becomes a {@link SpecException}. */
    private static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }
}
