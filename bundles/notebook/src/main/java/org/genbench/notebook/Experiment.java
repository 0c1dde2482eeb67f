package org.genbench.notebook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment spec built fluently in a cell: {@code Experiment.named("x").seed(1).dataset("toy", Map.of(...))
 * .model("gmm", ...).trainer("em").sampler("ancestral").evaluator("loglik")}. Each call returns a new experiment,
 * so one base can fan out into variants and seeds. {@link #json()} is exactly the spec file the CLI reads; the
 * workbench validates it (names, settings, capabilities) when it is checked or run.
 */
public final class Experiment {
    // Settings sorted by key: Map.of, the natural way to write them in a cell, iterates in a per-JVM random order,
    // and the same experiment should print the same spec every time.
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** One part of the spec: a component name, an optional id, and its settings. */
    public record Part(String type, String id, Map<String, Object> config) {
        public Part {
            if (type == null || type.isBlank()) {
                throw new IllegalArgumentException("a component needs a name (type)");
            }
            config = config == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        }

        String label() {
            return id != null ? id : type;
        }
    }

    private final String name;
    private final Long seed;
    private final Part dataset;
    private final Part model;
    private final Part trainer;
    private final List<Part> samplers;
    private final List<Part> evaluators;

    private Experiment(String name, Long seed, Part dataset, Part model, Part trainer, List<Part> samplers,
                       List<Part> evaluators) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("an experiment name must match [A-Za-z0-9._-]+, was '" + name + "'");
        }
        this.name = name;
        this.seed = seed;
        this.dataset = dataset;
        this.model = model;
        this.trainer = trainer;
        this.samplers = List.copyOf(samplers);
        this.evaluators = List.copyOf(evaluators);
    }

    public static Experiment named(String name) {
        return new Experiment(name, null, null, null, null, List.of(), List.of());
    }

    /** Reads a spec file (e.g. workspace/experiments/quickstart.json) to vary it in the notebook. */
    public static Experiment read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Experiment fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            List<Part> samplers = new ArrayList<>();
            n.path("samplers").forEach(s -> samplers.add(part(s)));
            List<Part> evaluators = new ArrayList<>();
            n.path("evaluators").forEach(e -> evaluators.add(part(e)));
            return new Experiment(n.path("name").asText(null), n.hasNonNull("seed") ? n.get("seed").asLong() : null,
                    part(n.get("dataset")), part(n.get("model")), part(n.get("trainer")), samplers, evaluators);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a spec: " + e.getOriginalMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Part part(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        Map<String, Object> config = n.has("config") ? JSON.convertValue(n.get("config"), Map.class) : Map.of();
        return new Part(n.path("type").asText(null), n.hasNonNull("id") ? n.get("id").asText() : null, config);
    }

    public Experiment seed(long s) {
        return new Experiment(name, s, dataset, model, trainer, samplers, evaluators);
    }

    public Experiment dataset(String type) {
        return dataset(type, Map.of());
    }

    public Experiment dataset(String type, Map<String, ?> config) {
        return new Experiment(name, seed, new Part(type, null, cast(config)), model, trainer, samplers, evaluators);
    }

    public Experiment model(String type) {
        return model(type, Map.of());
    }

    public Experiment model(String type, Map<String, ?> config) {
        return new Experiment(name, seed, dataset, new Part(type, null, cast(config)), trainer, samplers, evaluators);
    }

    public Experiment trainer(String type) {
        return trainer(type, Map.of());
    }

    public Experiment trainer(String type, Map<String, ?> config) {
        return new Experiment(name, seed, dataset, model, new Part(type, null, cast(config)), samplers, evaluators);
    }

    public Experiment sampler(String type) {
        return sampler(type, Map.of());
    }

    public Experiment sampler(String type, Map<String, ?> config) {
        return samplerAs(null, type, config);
    }

    /** A second use of one sampler under its own {@code id}, e.g. two MALA step sizes. */
    public Experiment samplerAs(String id, String type, Map<String, ?> config) {
        List<Part> s = new ArrayList<>(samplers);
        s.add(new Part(type, id, cast(config)));
        return new Experiment(name, seed, dataset, model, trainer, s, evaluators);
    }

    public Experiment evaluator(String type) {
        return evaluator(type, Map.of());
    }

    public Experiment evaluator(String type, Map<String, ?> config) {
        List<Part> e = new ArrayList<>(evaluators);
        e.add(new Part(type, null, cast(config)));
        return new Experiment(name, seed, dataset, model, trainer, samplers, e);
    }

    /** The same experiment under another name (run directories and spec files are named after it). */
    public Experiment rename(String newName) {
        return new Experiment(newName, seed, dataset, model, trainer, samplers, evaluators);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<String, ?> config) {
        return (Map<String, Object>) config;
    }

    public String name() {
        return name;
    }

    public Long seed() {
        return seed;
    }

    public Part dataset() {
        return dataset;
    }

    public Part model() {
        return model;
    }

    public Part trainer() {
        return trainer;
    }

    public List<Part> samplers() {
        return samplers;
    }

    public List<Part> evaluators() {
        return evaluators;
    }

    /** The spec as JSON, in the form of {@code workspace/experiments/*.json}. */
    public String json() {
        ObjectNode n = JSON.createObjectNode().put("name", name);
        if (seed != null) {
            n.put("seed", seed);
        }
        put(n, "dataset", dataset);
        put(n, "model", model);
        put(n, "trainer", trainer);
        ArrayNode s = n.putArray("samplers");
        samplers.forEach(p -> s.add(node(p)));
        ArrayNode e = n.putArray("evaluators");
        evaluators.forEach(p -> e.add(node(p)));
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("a setting cannot be written as JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    private static void put(ObjectNode n, String field, Part p) {
        if (p != null) {
            n.set(field, node(p));
        }
    }

    private static ObjectNode node(Part p) {
        ObjectNode o = JSON.createObjectNode().put("type", p.type());
        if (p.id() != null) {
            o.put("id", p.id());
        }
        if (!p.config().isEmpty()) {
            o.set("config", JSON.valueToTree(p.config()));
        }
        return o;
    }

    /** Writes the spec file; the CLI runs it as {@code bin/genbench run FILE}. */
    public Path write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, json() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public String toString() {
        return json();
    }
}
