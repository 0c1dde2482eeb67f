package org.genbench.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Named bundle sets ({@code features/NAME.json}: a description, the features it builds on, and bundle symbolic
 * names) and the bundle repository they are resolved against (a folder of jars, indexed by symbolic name). The
 * name {@value #DEFAULT} stands for every feature that does not say {@code "default": false} (the console and the
 * dashboard, which their verbs add), so every shipped component is there without a flag.
 */
final class Features {
    static final String DEFAULT = "default";
    private final Path featuresDir;
    private final Map<String, Path> repository;

    Features(Path featuresDir, Path repositoryDir) throws IOException {
        this.featuresDir = featuresDir;
        this.repository = index(repositoryDir);
    }

    /** The jars of {@code names} and the features they require, each once, in order. */
    List<Path> resolve(List<String> names) throws IOException {
        Set<String> bundles = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            collect(name, bundles, seen);
        }
        List<Path> jars = new ArrayList<>();
        for (String bsn : bundles) {
            Path jar = repository.get(bsn);
            if (jar == null) {
                throw new IOException("bundle " + bsn + " is named by a feature but not in the bundle repository "
                        + "(build with `mvn -q install -DskipTests`); repository has: " + repository.keySet());
            }
            jars.add(jar);
        }
        return jars;
    }

    Path jarOf(String bsn) {
        return repository.get(bsn);
    }

    List<String> available() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(featuresDir, "*.json")) {
            files.forEach(f -> out.add(f.getFileName().toString().replaceFirst("\\.json$", "")));
        }
        out.sort(null);
        return out;
    }

    /** The features {@value #DEFAULT} stands for, in name order. */
    List<String> defaults() throws IOException {
        List<String> out = new ArrayList<>();
        for (String name : available()) {
            JsonNode feature = new ObjectMapper().readTree(featuresDir.resolve(name + ".json").toFile());
            if (feature.path("default").asBoolean(true)) {
                out.add(name);
            }
        }
        return out;
    }

    private void collect(String name, Set<String> bundles, Set<String> seen) throws IOException {
        if (name.equals(DEFAULT)) {
            for (String f : defaults()) {
                collect(f, bundles, seen);
            }
            return;
        }
        if (!seen.add(name)) {
            return;
        }
        Path file = featuresDir.resolve(name + ".json");
        if (!Files.isRegularFile(file)) {
            throw new IOException("unknown feature '" + name + "'; features in " + featuresDir + ": " + available());
        }
        JsonNode feature = new ObjectMapper().readTree(file.toFile());
        for (JsonNode required : feature.path("requires")) {
            collect(required.asText(), bundles, seen);
        }
        for (JsonNode bsn : feature.path("bundles")) {
            bundles.add(bsn.asText());
        }
    }

    private static Map<String, Path> index(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            throw new IOException("no bundle repository at " + dir + " (build with `mvn -q install -DskipTests`)");
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : jars) {
                String bsn = symbolicName(jar);
                if (bsn != null) {
                    out.put(bsn, jar);
                }
            }
        }
        return out;
    }

    static String symbolicName(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest m = file.getManifest();
            String bsn = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].trim();
        }
    }
}
