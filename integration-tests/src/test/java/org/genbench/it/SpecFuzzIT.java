package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of mutated specs through the real framework, as a careless or hostile user would write them: deleted,
 * duplicated and unknown keys, wrong JSON types, unknown names, extreme and non-finite numbers, path segments, very
 * long and non-ASCII strings, syntax errors, large files. Each must be refused by {@code check} and by {@code run}
 * with a non-zero exit, a message that names the field, no stack trace and no library internals, no run folder, and
 * nothing written outside the workspace, within a few seconds.
 */
class SpecFuzzIT {
    static final String BASE = """
            {"name": "fuzz", "seed": 7,
             "dataset": {"type": "toy", "config": {"shape": "two-moons", "train": 300, "test": 100, "noise": 0.1}},
             "model": {"type": "gmm", "config": {"components": 3, "regCovar": 0.000001, "init": "kmeans++", "kmeansIterations": 5}},
             "trainer": {"type": "em", "config": {"maxIterations": 5, "tolerance": 0.0001, "checkpointEvery": 2}},
             "samplers": [{"type": "ancestral", "config": {"samples": 100}},
                          {"type": "hmc", "config": {"chains": 2, "draws": 20, "warmup": 10, "thin": 1, "stepSize": 0.1,
                                                     "leapfrogSteps": 3, "initScale": 1.0}},
                          {"type": "mala", "id": "mala-a", "config": {"chains": 2, "draws": 20, "warmup": 10, "stepSize": 0.2}},
                          {"type": "mh", "config": {"chains": 2, "draws": 20, "warmup": 10}}],
             "evaluators": [{"type": "loglik", "config": {"split": "test", "batchSize": 64, "estimator": "exact"}}]}""";
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String MARKER = "genbench-fuzz-" + Long.toHexString(System.nanoTime());
    static final String[] INTERNALS = {"\tat ", "Exception", "com.fasterxml", "JsonToken", "LinkedHashMap", "Source: REDACTED",
            "line -1", "java.lang.", "org.genbench."};

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        // The memory a run may hold is pinned, so what fits does not depend on the machine the test runs on.
        host = new TestHost(workspace, org.genbench.launcher.HostConfig.DEFAULT_FEATURES, Map.of("genbench.memory", Long.toString(MEMORY)));
    }

    static final long MEMORY = 2_000_000_000L;

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    /** One mutated spec: what was done, the file's text, and what the refusal must name. */
    record Mutant(String label, String text, String names) {
    }

    @Test
    void everyMutatedSpecIsRefusedByNameAndLeavesNothingBehind() throws Exception {
        Path base = host.spec("fuzz-base", BASE);
        TestHost.Result ok = host.exec("check", base.toString());
        assertEquals(0, ok.status(), "the unmutated spec is fine: " + ok);

        List<Mutant> mutants = mutants();
        assertTrue(mutants.size() >= 300, "at least 300 mutated specs, got " + mutants.size());

        Map<String, Integer> byKind = new LinkedHashMap<>();
        List<String> accepted = new ArrayList<>();
        List<String> unnamed = new ArrayList<>();
        List<String> traces = new ArrayList<>();
        List<String> hangs = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        long slowest = 0;
        String slowestLabel = "";
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        PrintStream realErr = System.err;
        System.setErr(new PrintStream(stray, true, StandardCharsets.UTF_8)); // anything a bundle prints on its own
        try {
            int i = 0;
            for (Mutant m : mutants) {
                byKind.merge(m.label().substring(0, m.label().indexOf(':')), 1, Integer::sum);
                Path file = workspace.resolve("experiments").resolve("m" + (i++) + ".json");
                Files.writeString(file, m.text(), StandardCharsets.UTF_8);
                for (String verb : new String[] {"check", "run"}) {
                    long t0 = System.nanoTime();
                    TestHost.Result r;
                    try {
                        r = CompletableFuture.supplyAsync(() -> {
                            try {
                                return host.exec(verb, file.toString());
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }).get(30, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        hangs.add(verb + " " + m.label());
                        continue;
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > slowest) {
                        slowest = ms;
                        slowestLabel = verb + " " + m.label();
                    }
                    String said = r.out() + r.err();
                    if (r.status() == 0) {
                        accepted.add(verb + " " + m.label() + ": " + said.lines().findFirst().orElse(""));
                    } else if (!said.contains(m.names())) {
                        unnamed.add(verb + " " + m.label() + "\n      expected: " + m.names() + "\n      got: " + said.strip());
                    }
                    for (String internal : INTERNALS) {
                        if (said.contains(internal) && !(internal.equals("org.genbench.") && said.contains("(bundle org.genbench."))) {
                            traces.add(verb + " " + m.label() + ": contains '" + internal.strip() + "': " + said.strip());
                            break;
                        }
                    }
                    try (Stream<Path> runs = Files.list(workspace.resolve("runs"))) {
                        List<Path> left = runs.toList();
                        if (!left.isEmpty()) {
                            leftovers.add(verb + " " + m.label() + ": " + left);
                            left.forEach(TestHost::deleteTree);
                        }
                    }
                }
            }
        } finally {
            System.setErr(realErr);
        }
        String strayText = stray.toString(StandardCharsets.UTF_8);
        if (strayText.contains("\tat ")) {
            traces.add("printed to System.err by the framework or a bundle:\n" + strayText);
        }
        List<Path> escapes = escapes();
        System.out.printf("spec fuzz: %d mutated specs %s, each through check and run: %d accepted, %d escapes, "
                        + "%d stack traces or internals, %d hangs, %d leftover run folders, %d messages not naming the field;"
                        + " slowest %d ms (%s)%n", mutants.size(), byKind, accepted.size(), escapes.size(), traces.size(),
                hangs.size(), leftovers.size(), unnamed.size(), slowest, slowestLabel);
        assertEquals(List.of(), accepted, "every mutated spec is refused");
        assertEquals(List.of(), escapes, "nothing is written outside the workspace");
        assertEquals(List.of(), traces, "no stack trace or library internals in what a user sees");
        assertEquals(List.of(), hangs, "nothing hangs");
        assertEquals(List.of(), leftovers, "a refused spec leaves no run folder");
        assertEquals(List.of(), unnamed, "every refusal names the field");
    }

    /** Files or folders named after the marker anywhere near the workspace or in the temporary directory. */
    static List<Path> escapes() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path root : new Path[] {Path.of(System.getProperty("java.io.tmpdir")), workspace.getParent(), TestHost.HOME}) {
            try (Stream<Path> walk = Files.walk(root, 4)) {
                walk.filter(p -> p.getFileName() != null && p.getFileName().toString().contains(MARKER)).forEach(found::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                // a folder we may not read (another user's): not ours to have written into
            }
        }
        return found;
    }

    // ---- the generator

    static List<Mutant> mutants() throws IOException {
        ObjectNode base = (ObjectNode) JSON.readTree(BASE);
        List<Mutant> out = new ArrayList<>();
        Random random = new Random(20261129);

        // Leaves: every scalar under name, seed, the parts' type and id, and every config field.
        List<Leaf> leaves = new ArrayList<>();
        collectLeaves(base, "", null, leaves);
        for (Leaf leaf : leaves) {
            for (Map.Entry<String, JsonNode> v : wrongValues(leaf).entrySet()) {
                ObjectNode copy = base.deepCopy();
                leaf.set(copy, v.getValue());
                out.add(new Mutant(v.getKey() + ": " + leaf.path + " = " + abbreviate(v.getValue().toString()),
                        write(copy), leaf.names));
            }
        }

        // Deleted required keys.
        for (String[] d : new String[][] {{"", "name", "name is missing"}, {"", "seed", "seed is missing"},
                {"", "dataset", "dataset is missing"}, {"", "model", "model is missing"},
                {"", "trainer", "trainer is missing: model 'gmm' must be fitted"},
                {"dataset", "type", "dataset.type is missing"}, {"model", "type", "model.type is missing"},
                {"trainer", "type", "trainer.type is missing"}, {"samplers/0", "type", "samplers[0].type is missing"},
                {"samplers/1", "type", "samplers[1].type is missing"}, {"samplers/2", "type", "samplers[2].type is missing"},
                {"evaluators/0", "type", "evaluators[0].type is missing"}}) {
            ObjectNode copy = base.deepCopy();
            ((ObjectNode) (d[0].isEmpty() ? copy : copy.at("/" + d[0]))).remove(d[1]);
            out.add(new Mutant("deleted: " + (d[0].isEmpty() ? "" : d[0] + "/") + d[1], write(copy), d[2]));
        }

        // Null where an object is needed.
        for (String[] n : new String[][] {{"", "dataset", "dataset is missing"}, {"", "model", "model is missing"},
                {"", "trainer", "trainer is missing: model 'gmm'"}, {"", "name", "name is missing"}, {"", "seed", "seed is missing"}}) {
            ObjectNode copy = base.deepCopy();
            copy.putNull(n[1]);
            out.add(new Mutant("null: " + n[1], write(copy), n[2]));
        }
        for (String list : new String[] {"samplers", "evaluators"}) {
            ObjectNode copy = base.deepCopy();
            ((ArrayNode) copy.get(list)).insertNull(0);
            out.add(new Mutant("null: " + list + "[0]", write(copy), list + "[0]: expected an object with a 'type', got null"));
        }

        // Duplicated keys, at every level (text-level: a tree cannot hold them).
        for (Leaf key : allKeys(base)) {
            String text = write(base);
            String needle = "\"" + key.field + "\":";
            int at = nthIndexOf(text, needle, key.occurrence);
            int end = endOfValue(text, at + needle.length());
            String dup = text.substring(at, end);
            out.add(new Mutant("duplicated: " + key.path, text.substring(0, end) + ", " + dup + text.substring(end),
                    "field '" + key.path + "' appears twice"));
        }

        // Unknown keys.
        out.add(new Mutant("unknown key: top level", write(base.deepCopy().put("sed", 1)), "unknown field 'sed'"));
        for (String part : new String[] {"dataset", "model", "trainer", "samplers/1", "evaluators/0"}) {
            String place = part.replace("/", "[").replaceAll("\\[(\\d)$", "[$1]");
            ObjectNode copy = base.deepCopy();
            ((ObjectNode) copy.at("/" + part)).put("confg", 1);
            out.add(new Mutant("unknown key: " + place, write(copy), place + ": unknown field 'confg'"));
            ObjectNode copy2 = base.deepCopy();
            ((ObjectNode) copy2.at("/" + part + "/config")).put("bogus", 1);
            out.add(new Mutant("unknown key: " + place + ".config", write(copy2), place + " (" + copy2.at("/" + part + "/type")
                    .asText() + ").config: unknown field 'bogus'"));
        }

        // Semantics only the composition can see.
        out.add(new Mutant("semantic: more components than examples", BASE.replace("\"components\": 3", "\"components\": 301"),
                "model (gmm).config.components: must be <= the 300 training examples"));
        out.add(new Mutant("semantic: a split the data lacks", BASE.replace("\"split\": \"test\"", "\"split\": \"valid\""),
                "evaluators[0] (loglik).config.split: must be one of [test, train]"));
        out.add(new Mutant("semantic: two samplers with one id", BASE.replace("\"id\": \"mala-a\"", "\"id\": \"hmc\""),
                "samplers[2].id 'hmc' is also the id of samplers[1]"));
        out.add(new Mutant("semantic: a model that is not installed", BASE.replace("\"type\": \"gmm\"", "\"type\": \"gaussian\""),
                "model (gaussian): unknown model 'gaussian'; installed models: bernoulli-mixture, cvae, dbn, ddpm, ebm, gan, gmm, made, maf, ncsn, pixelcnn, rbm, realnvp, vae"));
        out.add(new Mutant("semantic: samples that cannot fit in memory", BASE.replace("\"samples\": 100", "\"samples\": 400000000"),
                "samplers[0] (ancestral).config.samples: 400000000 samples of 2 values need at least 3.2 GB"));

        // The cases issue 15 reported, as written there (each also falls under a family above).
        String esc = "../../../../../../../../tmp/" + MARKER;
        out.add(new Mutant("issue: sampler id escaping the workspace",
                BASE.replace("\"id\": \"mala-a\"", "\"id\": \"" + esc + "\""), "samplers[2] (mala).id must be"));
        out.add(new Mutant("issue: evaluator id escaping the workspace",
                BASE.replace("{\"type\": \"loglik\",", "{\"type\": \"loglik\", \"id\": \"../" + MARKER + "\","),
                "evaluators[0] (loglik).id must be"));
        out.add(new Mutant("issue: name ..", BASE.replace("\"fuzz\"", "\"..\""), "name must be"));
        out.add(new Mutant("issue: samples 2147483647", BASE.replace("\"samples\": 100", "\"samples\": 2147483647"),
                "samplers[0] (ancestral).config.samples"));
        out.add(new Mutant("issue: train 2e9", BASE.replace("\"train\": 300", "\"train\": 2e9"), "dataset (toy).config.train"));
        out.add(new Mutant("issue: noise 1e308", BASE.replace("\"noise\": 0.1", "\"noise\": 1e308"), "dataset (toy).config.noise"));
        out.add(new Mutant("issue: EM maxIterations 2^31-1 with tolerance 0", BASE.replace("\"maxIterations\": 5", "\"maxIterations\": 2147483647")
                .replace("\"tolerance\": 0.0001", "\"tolerance\": 0"), "trainer (em).config.maxIterations"));
        out.add(new Mutant("issue: MALA warmup 1e9", BASE.replace("\"draws\": 20, \"warmup\": 10, \"stepSize\": 0.2",
                "\"draws\": 20, \"warmup\": 1000000000, \"stepSize\": 0.2"), "samplers[2] (mala).config.warmup"));
        out.add(new Mutant("issue: HMC stepSize 1e308", BASE.replace("\"stepSize\": 0.1", "\"stepSize\": 1e308"),
                "samplers[1] (hmc).config.stepSize"));
        out.add(new Mutant("issue: unknown split", BASE.replace("\"split\": \"test\"", "\"split\": \"validation\""),
                "evaluators[0] (loglik).config.split"));
        out.add(new Mutant("issue: components > train", BASE.replace("\"components\": 3", "\"components\": 500"),
                "model (gmm).config.components"));
        out.add(new Mutant("issue: type missing", BASE.replace("{\"type\": \"mh\", ", "{"), "samplers[3].type is missing"));
        out.add(new Mutant("issue: samplers [null]", BASE.replace("\"samplers\": [", "\"samplers\": [null, "),
                "samplers[0]: expected an object with a 'type', got null"));
        out.add(new Mutant("issue: duplicate seed", BASE.replace("\"seed\": 7,", "\"seed\": 7, \"seed\": 8,"), "field 'seed' appears twice"));
        out.add(new Mutant("issue: duplicate model", BASE.replace("\"model\": {", "\"model\": {\"type\": \"gmm\"}, \"model\": {"),
                "field 'model' appears twice"));
        out.add(new Mutant("issue: seed as a string", BASE.replace("\"seed\": 7", "\"seed\": \"42\""), "seed: expected an integer"));
        out.add(new Mutant("issue: train as a string", BASE.replace("\"train\": 300", "\"train\": \"4000\""),
                "dataset (toy).config.train: expected an integer"));

        // Syntax errors.
        String text = write(base);
        for (int k = 0; k < 25; k++) {
            int cut = 1 + random.nextInt(text.length() - 2);
            out.add(new Mutant("syntax: cut at " + cut, text.substring(0, cut), "not valid JSON at line"));
        }
        List<Integer> structural = new ArrayList<>();
        List<Integer> outside = new ArrayList<>();
        boolean inString = false;
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c == '"' && text.charAt(k - 1) != '\\') {
                inString = !inString;
                structural.add(k);
            } else if (!inString) {
                outside.add(k);
                if ("{}[],:".indexOf(c) >= 0) {
                    structural.add(k);
                }
            }
        }
        for (int k = 0; k < 25; k++) {
            int at = structural.get(random.nextInt(structural.size()));
            out.add(new Mutant("syntax: drop '" + text.charAt(at) + "' at " + at, text.substring(0, at) + text.substring(at + 1),
                    "not valid JSON at line"));
        }
        String[] garbage = {"#", "'", "//c\n", "x", "NaN", "Infinity", ",", "}", "]", ":", "@", "\\"};
        for (int k = 0; k < 25; k++) {
            int at = outside.get(random.nextInt(outside.size()));
            String g = garbage[k % garbage.length];
            out.add(new Mutant("syntax: insert " + abbreviate(g.replace("\n", "\\n")) + " at " + at,
                    text.substring(0, at) + g + text.substring(at), "not valid JSON at line"));
        }
        out.add(new Mutant("syntax: trailing comma", text.replace("\"estimator\":\"exact\"}", "\"estimator\":\"exact\",}"),
                "not valid JSON at line"));
        out.add(new Mutant("syntax: single quotes", text.replace("\"fuzz\"", "'fuzz'"), "not valid JSON at line"));
        out.add(new Mutant("syntax: bare NaN", text.replace("0.1,", "NaN,"), "not valid JSON at line"));
        out.add(new Mutant("syntax: two documents", text + " " + text, "not valid JSON at line"));

        // Not an object, empty, large, deep.
        for (String root : new String[] {"[]", "\"fuzz\"", "42", "null", "true"}) {
            out.add(new Mutant("root: " + root, root, "the spec must be a JSON object"));
        }
        out.add(new Mutant("root: empty file", "", "the spec is empty"));
        out.add(new Mutant("root: whitespace", "  \n\t ", "the spec is empty"));
        out.add(new Mutant("large: 2 MB", text.replace("\"fuzz\",", "\"fuzz\"," + " ".repeat(2 << 20)), "larger than 1024 KiB"));
        out.add(new Mutant("large: a 200000-character string", text.replace("\"two-moons\"", "\"" + "a".repeat(200_000) + "\""),
                "a string longer than 65536 characters"));
        out.add(new Mutant("large: nested 100 deep", text.replace("\"noise\":0.1", "\"noise\":" + "[".repeat(100) + "]".repeat(100)),
                "nested deeper than 32 levels"));
        out.add(new Mutant("large: a number of 300 digits", text.replace("\"seed\":7", "\"seed\":" + "9".repeat(300)),
                "a number with more than 100 digits"));
        out.add(new Mutant("large: 20000 samplers", text.replace("\"samplers\":[", "\"samplers\":[" + "{\"type\": \"mh\"},".repeat(20_000)),
                "samplers[1].id 'mh' is also the id of samplers[0]"));
        for (Mutant m : out) {
            assertTrue(!m.text().equals(text) && !m.text().equals(BASE), "the mutation applies: " + m.label());
        }
        return out;
    }

    /** A scalar in the spec: its JSON path, how to set it, what kind it is, and what a refusal must name. */
    static final class Leaf {
        final String pointer;
        final String path;
        final String field;
        final JsonNode value;
        final String names;
        final boolean integer;
        final boolean identity;
        int occurrence;

        Leaf(String pointer, String path, String field, JsonNode value, String names, boolean identity) {
            this.pointer = pointer;
            this.path = path;
            this.field = field;
            this.value = value;
            this.names = names;
            this.integer = value != null && value.isIntegralNumber();
            this.identity = identity;
        }

        void set(ObjectNode root, JsonNode v) {
            int slash = pointer.lastIndexOf('/');
            ((ObjectNode) root.at(pointer.substring(0, slash))).set(pointer.substring(slash + 1), v);
        }
    }

    static void collectLeaves(ObjectNode root, String unused, Object unused2, List<Leaf> out) {
        out.add(new Leaf("/name", "name", "name", root.get("name"), "name", true));
        out.add(new Leaf("/seed", "seed", "seed", root.get("seed"), "seed", false));
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("/dataset", "dataset");
        parts.put("/model", "model");
        parts.put("/trainer", "trainer");
        for (int i = 0; i < root.get("samplers").size(); i++) {
            parts.put("/samplers/" + i, "samplers[" + i + "]");
        }
        parts.put("/evaluators/0", "evaluators[0]");
        for (Map.Entry<String, String> p : parts.entrySet()) {
            JsonNode part = root.at(p.getKey());
            String type = part.get("type").asText();
            out.add(new Leaf(p.getKey() + "/type", p.getValue() + ".type", "type", part.get("type"), p.getValue(), true));
            if (part.has("id")) {
                out.add(new Leaf(p.getKey() + "/id", p.getValue() + ".id", "id", part.get("id"), p.getValue() + " (" + type + ").id", true));
            }
            Iterator<String> fields = part.get("config").fieldNames();
            while (fields.hasNext()) {
                String f = fields.next();
                out.add(new Leaf(p.getKey() + "/config/" + f, p.getValue() + ".config." + f, f, part.get("config").get(f),
                        p.getValue() + " (" + type + ").config." + f, false));
            }
        }
    }

    /** Values that are wrong for this leaf whatever the component: wrong JSON types, extremes, paths, odd strings. */
    static Map<String, JsonNode> wrongValues(Leaf leaf) {
        Map<String, JsonNode> v = new LinkedHashMap<>();
        JsonNode x = leaf.value;
        String escape = "../../../../../../../../tmp/" + MARKER;
        if (leaf.identity) {
            // names, types and ids: anything that is not one safe path segment, and (for types) unknown names
            v.put("path", F.textNode(escape));
            v.put("absolute path", F.textNode("/tmp/" + MARKER));
            v.put("dot-dot", F.textNode(".."));
            v.put("dot", F.textNode("."));
            v.put("hidden", F.textNode(".x"));
            v.put("slash", F.textNode("a/b"));
            v.put("backslash", F.textNode("a\\b"));
            v.put("space", F.textNode("a b"));
            v.put("empty", F.textNode(""));
            v.put("long string", F.textNode("a".repeat(5000)));
            v.put("non-ASCII", F.textNode("m\u00e9l\u00e4nge-\u6837\u672c"));
            v.put("control character", F.textNode("a\u0001b"));
            v.put("zero-width", F.textNode(x.asText() + "\u200b"));
            v.put("number", F.numberNode(5));
            v.put("true", F.booleanNode(true));
            v.put("list", F.arrayNode().add(x.asText()));
            v.put("object", F.objectNode().put("type", x.asText()));
            if (leaf.field.equals("type")) {
                v.put("unknown name", F.textNode("nope"));
                v.put("upper case", F.textNode(x.asText().toUpperCase()));
            }
            return v;
        }
        if (x.isNumber()) {
            v.put("string", F.textNode(x.asText()));
            v.put("true", F.booleanNode(true));
            v.put("list", F.arrayNode().add(x));
            v.put("object", F.objectNode().set("value", x));
            v.put("NaN as string", F.textNode("NaN"));
            v.put("Infinity as string", F.textNode("Infinity"));
            v.put("-Infinity as string", F.textNode("-Infinity"));
            v.put("huge", F.numberNode(new BigDecimal("1e999")));
            v.put("-huge", F.numberNode(new BigDecimal("-1e999")));
            v.put("1e308", F.numberNode(1e308));
            v.put("-1e308", F.numberNode(-1e308));
            v.put("beyond long", F.numberNode(new BigInteger("99999999999999999999999")));
            if (!leaf.path.equals("seed")) {
                v.put("2^31-1", F.numberNode(Integer.MAX_VALUE));
                v.put("-2^31", F.numberNode(Integer.MIN_VALUE));
                v.put("2^31", F.numberNode(1L << 31));
                v.put("-1", F.numberNode(-1));
            }
            if (leaf.integer) {
                v.put("fraction", F.numberNode(x.asDouble() + 0.5));
                v.put("exponent", F.numberNode(new BigDecimal("3e2")));
            }
            return v;
        }
        if (x.isTextual()) {
            v.put("number", F.numberNode(1));
            v.put("true", F.booleanNode(true));
            v.put("list", F.arrayNode().add(x));
            v.put("unknown value", F.textNode("nope"));
            v.put("path", F.textNode(escape));
            v.put("empty", F.textNode(""));
            v.put("long string", F.textNode("b".repeat(10_000)));
            v.put("non-ASCII", F.textNode(x.asText() + "\u00e9"));
            v.put("control character", F.textNode(x.asText() + "\u0000"));
            v.put("NaN as string", F.textNode("NaN"));
        }
        return v;
    }

    /** Every object key in the spec, with its dotted path and which occurrence of {@code "key":} it is in the text. */
    static List<Leaf> allKeys(ObjectNode base) throws IOException {
        List<Leaf> keys = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        walkKeys(base, "", keys);
        for (Leaf k : keys) {
            k.occurrence = seen.merge(k.field, 1, Integer::sum) - 1;
        }
        return keys;
    }

    private static void walkKeys(JsonNode node, String path, List<Leaf> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.add(new Leaf("", p, e.getKey(), e.getValue(), p, false));
                walkKeys(e.getValue(), p, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walkKeys(node.get(i), path + "[" + i + "]", out);
            }
        }
    }

    /** The spec as the text the walk above sees keys in: Jackson writes fields in document order. */
    static String write(JsonNode node) throws IOException {
        return JSON.writeValueAsString(node);
    }

    static int nthIndexOf(String text, String needle, int n) {
        int at = -1;
        for (int i = 0; i <= n; i++) {
            at = text.indexOf(needle, at + 1);
        }
        return at;
    }

    /** The index just after the JSON value that starts at {@code from} (skipping whitespace). */
    static int endOfValue(String text, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return text.length();
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
