package org.genbench.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A sweep: an experiment spec with a {@code "sweep"} section that says which seeds and settings to run.
 *
 * <pre>{@code
 * { "name": "gmm-k", "seed": 1, "dataset": {...}, "model": {"type": "gmm", "config": {"components": 8}}, ...,
 *   "sweep": { "seeds": [1, 2, 3],
 *              "grid": { "model.config.components": [2, 4, 8] },
 *              "list": [ {"trainer.config.tolerance": 1e-3}, {"trainer.config.tolerance": 1e-6} ],
 *              "parallel": 1 } }
 * }</pre>
 *
 * <p>{@code seeds} is a list of integers, or a count n meaning 1..n (default: the spec's seed alone). {@code grid}
 * maps a setting's path in the spec ({@code model.config.components}, {@code samplers[1].config.stepSize},
 * {@code model.type}) to the values to try; every combination is a setting. {@code list} gives whole settings, each
 * a map of paths to values, combined with every grid combination. Each setting runs once per seed. The runs of one
 * setting share a name ({@code <name>.<setting>}) and differ only by their seed, so compare averages over them.
 * {@code parallel} is how many runs go at once (default 1).
 *
 * <p>Every point (a setting and a seed) has a key: a hash of its complete spec. A sweep run again skips the points
 * whose spec it has completed, so changing one value reruns only what the change touches.
 */
public final class SweepSpec {
    /** Upper bounds that keep a typo from planning a million runs. */
    public static final int MAX_POINTS = 100_000;
    public static final int MAX_PARALLEL = 256;
    private static final Set<String> TOP = Set.of("dataset", "model", "trainer", "samplers", "evaluators");
    private static final Set<String> SWEEP_FIELDS = Set.of("seeds", "grid", "list", "parallel");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final String name;
    private final ObjectNode base;
    private final List<Long> seeds;
    private final Map<String, List<JsonNode>> grid;
    private final List<Map<String, JsonNode>> list;
    private final int parallel;

    private SweepSpec(String name, ObjectNode base, List<Long> seeds, Map<String, List<JsonNode>> grid,
                      List<Map<String, JsonNode>> list, int parallel) {
        this.name = name;
        this.base = base;
        this.seeds = List.copyOf(seeds);
        this.grid = Collections.unmodifiableMap(new LinkedHashMap<>(grid));
        this.list = List.copyOf(list);
        this.parallel = parallel;
    }

    /**
     * Reads a sweep spec; a plain experiment spec (no {@code sweep} section) is a sweep of one point. Problems are
     * {@link IllegalArgumentException}s whose message names the field ({@code sweep.grid.'model.config.k'}).
     */
    public static SweepSpec parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
        }
        if (!(root instanceof ObjectNode spec)) {
            throw new IllegalArgumentException("a sweep spec is a JSON object, was " + (root == null ? "empty" : root.getNodeType()));
        }
        ObjectNode base = spec.deepCopy();
        JsonNode sweep = base.remove("sweep");
        String name = base.path("name").asText("");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name must be 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a"
                    + " letter or digit (it names workspace/sweeps/<name>/), was '" + name + "'");
        }
        if (sweep == null || sweep.isNull()) {
            sweep = JSON.createObjectNode();
        }
        if (!sweep.isObject()) {
            throw new IllegalArgumentException("sweep must be an object with seeds, grid, list and/or parallel");
        }
        for (Iterator<String> it = sweep.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!SWEEP_FIELDS.contains(f)) {
                throw new IllegalArgumentException("sweep." + f + " is not a sweep setting; known: seeds, grid, list, parallel");
            }
        }
        List<Long> seeds = seeds(sweep.get("seeds"), base.get("seed"));
        Map<String, List<JsonNode>> grid = new LinkedHashMap<>();
        JsonNode g = sweep.get("grid");
        if (g != null && !g.isNull()) {
            if (!g.isObject() || g.isEmpty()) {
                throw new IllegalArgumentException("sweep.grid must be an object mapping setting paths to lists of values,"
                        + " e.g. {\"model.config.components\": [2, 4, 8]}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = g.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String where = "sweep.grid.'" + e.getKey() + "'";
                checkPath(where, e.getKey());
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw new IllegalArgumentException(where + " must be a non-empty list of values");
                }
                List<JsonNode> values = new ArrayList<>();
                Set<String> seen = new LinkedHashSet<>();
                for (JsonNode v : e.getValue()) {
                    if (!seen.add(canonical(v))) {
                        throw new IllegalArgumentException(where + " lists " + v + " twice");
                    }
                    values.add(v.deepCopy());
                }
                grid.put(e.getKey(), values);
            }
        }
        List<Map<String, JsonNode>> list = new ArrayList<>();
        JsonNode l = sweep.get("list");
        if (l != null && !l.isNull()) {
            if (!l.isArray() || l.isEmpty()) {
                throw new IllegalArgumentException("sweep.list must be a non-empty list of settings, each an object"
                        + " mapping setting paths to values");
            }
            for (int i = 0; i < l.size(); i++) {
                JsonNode entry = l.get(i);
                String where = "sweep.list[" + i + "]";
                if (!entry.isObject() || entry.isEmpty()) {
                    throw new IllegalArgumentException(where + " must be a non-empty object mapping setting paths to values");
                }
                Map<String, JsonNode> setting = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    checkPath(where + ".'" + e.getKey() + "'", e.getKey());
                    if (grid.containsKey(e.getKey())) {
                        throw new IllegalArgumentException(where + " sets '" + e.getKey() + "', which sweep.grid varies;"
                                + " a setting is varied by the grid or by the list, not both");
                    }
                    setting.put(e.getKey(), e.getValue().deepCopy());
                }
                list.add(setting);
            }
        }
        int parallel = 1;
        JsonNode p = sweep.get("parallel");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || p.asLong() < 1 || p.asLong() > MAX_PARALLEL) {
                throw new IllegalArgumentException("sweep.parallel must be a whole number from 1 to " + MAX_PARALLEL + ", was " + p);
            }
            parallel = p.asInt();
        }
        long settings = 1;
        for (List<JsonNode> values : grid.values()) {
            settings *= values.size();
            if (settings * seeds.size() > MAX_POINTS) {
                break;
            }
        }
        settings *= Math.max(1, list.size());
        if (settings * seeds.size() > MAX_POINTS) {
            throw new IllegalArgumentException("the sweep has " + settings + " settings x " + seeds.size() + " seeds, more"
                    + " than " + MAX_POINTS + " runs; split it");
        }
        // Every path must apply to the spec: fail now, naming it, not halfway through the sweep.
        for (Map.Entry<String, List<JsonNode>> axis : grid.entrySet()) {
            for (JsonNode v : axis.getValue()) {
                set(base.deepCopy(), axis.getKey(), v);
            }
        }
        for (Map<String, JsonNode> entry : list) {
            ObjectNode copy = base.deepCopy();
            entry.forEach((path, v) -> set(copy, path, v));
        }
        return new SweepSpec(name, base, seeds, grid, list, parallel);
    }

    private static List<Long> seeds(JsonNode seeds, JsonNode specSeed) {
        if (seeds == null || seeds.isNull()) {
            if (specSeed == null || !specSeed.isIntegralNumber()) {
                throw new IllegalArgumentException("seed is missing: give the spec a seed or the sweep seeds");
            }
            return List.of(specSeed.asLong());
        }
        if (seeds.isIntegralNumber()) {
            long n = seeds.asLong();
            if (n < 1 || n > MAX_POINTS) {
                throw new IllegalArgumentException("sweep.seeds as a count must be from 1 to " + MAX_POINTS + ", was " + n);
            }
            List<Long> out = new ArrayList<>();
            for (long i = 1; i <= n; i++) {
                out.add(i);
            }
            return out;
        }
        if (!seeds.isArray() || seeds.isEmpty()) {
            throw new IllegalArgumentException("sweep.seeds must be a non-empty list of whole numbers, or a count n for 1..n");
        }
        Set<Long> out = new LinkedHashSet<>();
        for (int i = 0; i < seeds.size(); i++) {
            JsonNode s = seeds.get(i);
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw new IllegalArgumentException("sweep.seeds[" + i + "] must be a whole number, was " + s);
            }
            if (!out.add(s.asLong())) {
                throw new IllegalArgumentException("sweep.seeds lists " + s.asLong() + " twice");
            }
        }
        return List.copyOf(out);
    }

    /** {@code samplers[1].config.stepSize} or {@code samplers.1.config.stepSize} -> segments; checks the first. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.split("\\.", -1)) {
            int bracket = part.indexOf('[');
            if (bracket < 0) {
                out.add(part);
                continue;
            }
            out.add(part.substring(0, bracket));
            String rest = part.substring(bracket);
            while (!rest.isEmpty()) {
                int close = rest.indexOf(']');
                if (!rest.startsWith("[") || close < 2) {
                    return null;
                }
                out.add(rest.substring(1, close));
                rest = rest.substring(close + 1);
            }
        }
        return out;
    }

    private static void checkPath(String where, String path) {
        List<String> segs = segments(path);
        if (segs == null || segs.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException(where + ": not a setting path; write e.g. model.config.components or"
                    + " samplers[1].config.stepSize");
        }
        if (!TOP.contains(segs.get(0))) {
            throw new IllegalArgumentException(where + ": a sweep varies dataset, model, trainer, samplers or evaluators"
                    + (segs.get(0).equals("seed") ? " (seeds go in sweep.seeds)" : segs.get(0).equals("name")
                    ? " (the sweep names its runs)" : ""));
        }
    }

    /** The spec with {@code value} set at {@code path}: objects on the way are created, list indices must exist. */
    static void set(ObjectNode spec, String path, JsonNode value) {
        List<String> segs = segments(path);
        JsonNode node = spec;
        for (int i = 0; i < segs.size(); i++) {
            String seg = segs.get(i);
            boolean last = i == segs.size() - 1;
            String soFar = String.join(".", segs.subList(0, i + 1));
            if (node instanceof ObjectNode o) {
                if (last) {
                    o.set(seg, value.deepCopy());
                    return;
                }
                JsonNode next = o.get(seg);
                if (next == null || next.isNull()) {
                    next = o.putObject(seg);
                }
                node = next;
            } else if (node instanceof ArrayNode a) {
                int index;
                try {
                    index = Integer.parseInt(seg);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + path + "': " + String.join(".", segs.subList(0, i))
                            + " is a list; index it with a number, e.g. [0]");
                }
                if (index < 0 || index >= a.size()) {
                    throw new IllegalArgumentException("'" + path + "': the spec's " + String.join(".", segs.subList(0, i))
                            + " has " + a.size() + " entries, no [" + index + "]");
                }
                if (last) {
                    a.set(index, value.deepCopy());
                    return;
                }
                node = a.get(index);
            } else {
                throw new IllegalArgumentException("'" + path + "': the spec's " + String.join(".", segs.subList(0, i))
                        + " is " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                        + ", not an object or list, so it has no " + soFar);
            }
        }
    }

    public String name() {
        return name;
    }

    public List<Long> seeds() {
        return seeds;
    }

    public int parallel() {
        return parallel;
    }

    /** The paths the sweep varies, grid first. */
    public List<String> varied() {
        Set<String> out = new LinkedHashSet<>(grid.keySet());
        list.forEach(m -> out.addAll(m.keySet()));
        return List.copyOf(out);
    }

    /** Every setting (grid combination x list entry): the values it sets, by path, in the sweep's order. */
    public List<Map<String, JsonNode>> settings() {
        List<Map<String, JsonNode>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<JsonNode>> axis : grid.entrySet()) {
            List<Map<String, JsonNode>> next = new ArrayList<>();
            for (Map<String, JsonNode> c : combos) {
                for (JsonNode v : axis.getValue()) {
                    Map<String, JsonNode> m = new LinkedHashMap<>(c);
                    m.put(axis.getKey(), v);
                    next.add(m);
                }
            }
            combos = next;
        }
        if (list.isEmpty()) {
            return combos;
        }
        List<Map<String, JsonNode>> out = new ArrayList<>();
        for (Map<String, JsonNode> c : combos) {
            for (Map<String, JsonNode> entry : list) {
                Map<String, JsonNode> m = new LinkedHashMap<>(c);
                m.putAll(entry);
                out.add(m);
            }
        }
        return out;
    }

    /** The runs: each setting once per seed, settings in order, seeds inner. */
    public List<SweepPoint> points() {
        List<Map<String, JsonNode>> settings = settings();
        List<String> labels = new ArrayList<>();
        for (Map<String, JsonNode> s : settings) {
            labels.add(label(s));
        }
        boolean labelsUsable = new LinkedHashSet<>(labels).size() == labels.size()
                && labels.stream().allMatch(l -> (name + "." + l).length() <= 64);
        List<SweepPoint> out = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            Map<String, JsonNode> setting = settings.get(i);
            String runName = settings.size() == 1 && setting.isEmpty() ? name
                    : name + "." + (labelsUsable ? labels.get(i) : Integer.toString(i + 1));
            ObjectNode spec = base.deepCopy();
            for (Map.Entry<String, JsonNode> e : setting.entrySet()) {
                set(spec, e.getKey(), e.getValue());
            }
            spec.put("name", runName);
            for (long seed : seeds) {
                ObjectNode withSeed = spec.deepCopy();
                withSeed.put("seed", seed);
                String json = canonical(withSeed);
                out.add(new SweepPoint(key(json), i, runName, labelsUsable ? labels.get(i) : Integer.toString(i + 1),
                        setting, seed, json));
            }
        }
        return out;
    }

    /** {@code components-4_tolerance-0.001}: each varied leaf and its value, in characters a run name may hold. */
    static String label(Map<String, JsonNode> setting) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : setting.entrySet()) {
            List<String> segs = segments(e.getKey());
            String leaf = segs.get(segs.size() - 1);
            if (leaf.equals("type") || leaf.equals("config") || leaf.chars().allMatch(Character::isDigit)) {
                leaf = String.join("", segs.subList(0, segs.size() - 1)).replace("config", "");
            }
            JsonNode v = e.getValue();
            String value = v.isContainerNode() ? key(canonical(v)).substring(0, 8)
                    : v.isTextual() ? v.asText() : v.toString();
            parts.add(safe(leaf) + "-" + safe(value));
        }
        return String.join("_", parts);
    }

    private static String safe(String s) {
        String out = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return out.isEmpty() ? "_" : out;
    }

    /** JSON with object keys sorted: equal specs have equal text. */
    static String canonical(JsonNode node) {
        try {
            Object tree = CANONICAL.treeToValue(node, Object.class);
            return CANONICAL.writeValueAsString(sortKeys(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object sortKeys(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put((String) k, sortKeys(v)));
            return sorted;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(sortKeys(v)));
            return out;
        }
        return o;
    }

    static String key(String canonicalJson) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonicalJson.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
