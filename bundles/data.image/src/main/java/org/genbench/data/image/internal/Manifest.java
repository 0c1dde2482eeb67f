package org.genbench.data.image.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset manifest ({@code datasets/<name>/manifest.json}, packed into this bundle): where the packaged files come
 * from and their sha256, and for each split the Arrow file the prepare step produces and its sha256.
 */
record Manifest(String name, String sourcePackage, String install, String sourceDirectory,
                Map<String, String> sourceSha256, List<String> classes, Map<String, Split> splits,
                Binarization binarization) {

    record Split(String images, String labels, int examples, String file, String sha256) {
    }

    /** The fixed binarization: the seed of its one draw, and per split the file it is saved to and its sha256. */
    record Binarization(long seed, Map<String, Saved> splits) {
    }

    record Saved(String file, String sha256) {
    }

    /** The manifest packed into this bundle from {@code datasets/fashion-mnist/manifest.json}. */
    static Manifest fashionMnist() {
        try (InputStream in = Manifest.class.getResourceAsStream("fashion-mnist.json")) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its manifest fashion-mnist.json (a build error)");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packed Fashion-MNIST manifest", e);
        }
    }

    static Manifest parse(JsonNode root) {
        JsonNode source = root.path("source");
        Map<String, String> sha = new LinkedHashMap<>();
        source.path("sha256").fields().forEachRemaining(e -> sha.put(e.getKey(), e.getValue().asText()));
        List<String> classes = new ArrayList<>();
        root.path("classes").forEach(c -> classes.add(c.asText()));
        Map<String, Split> splits = new LinkedHashMap<>();
        root.path("splits").fields().forEachRemaining(e -> {
            JsonNode s = e.getValue();
            splits.put(e.getKey(), new Split(s.path("images").asText(), s.path("labels").asText(),
                    s.path("examples").asInt(), s.path("file").asText(), s.path("sha256").asText("")));
        });
        Binarization binarization = null;
        JsonNode fixed = root.path("fixedBinarization");
        if (fixed.isObject()) {
            Map<String, Saved> saved = new LinkedHashMap<>();
            fixed.path("splits").fields().forEachRemaining(e -> saved.put(e.getKey(),
                    new Saved(e.getValue().path("file").asText(), e.getValue().path("sha256").asText(""))));
            binarization = new Binarization(fixed.path("seed").asLong(), Map.copyOf(saved));
        }
        return new Manifest(root.path("name").asText(), source.path("package").asText(), source.path("install").asText(),
                source.path("directory").asText(), Map.copyOf(sha), List.copyOf(classes), Map.copyOf(splits),
                binarization);
    }
}
