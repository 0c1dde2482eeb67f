package org.genbench.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * {@code bin/genbench new-plugin NAME [--dir DIR] [--package P] [--description TEXT]}: writes a standalone Maven
 * project for a plug-in bundle, a model family called NAME (a diagonal Gaussian to start from, with its unit test
 * and an experiment that uses it). The project depends on genbench's published {@code api} artifact and the OSGi
 * annotations only and builds its bundle with {@code mvn package}; nothing in it refers to this checkout.
 */
public final class NewPlugin {
    /** Template resource (under {@code /plugin-template/}) to the file it becomes; {@code @@X@@} are replaced. */
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("pom.xml", "pom.xml");
        FILES.put("bnd.bnd", "bnd.bnd");
        FILES.put("README.md", "README.md");
        FILES.put("experiment.json", "experiment.json");
        FILES.put("gitignore", ".gitignore");
        FILES.put("src/main/java/internal/Family.java", "src/main/java/@@PACKAGE_PATH@@/internal/@@CLASS@@Family.java");
        FILES.put("src/main/java/internal/Model.java", "src/main/java/@@PACKAGE_PATH@@/internal/@@CLASS@@Model.java");
        FILES.put("src/test/java/internal/ModelTest.java", "src/test/java/@@PACKAGE_PATH@@/internal/@@CLASS@@ModelTest.java");
    }

    /** What to generate. */
    public record Options(String name, Path dir, String packageName, String description, String genbenchVersion) {
        public Options {
            if (name == null || !name.matches("[a-z][a-z0-9-]{0,39}") || name.endsWith("-")) {
                throw new IllegalArgumentException("the plug-in's NAME must be 1 to 40 lower-case letters, digits and"
                        + " dashes, starting with a letter (it is the name specs use), was '" + name + "'");
            }
            if (!packageName.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+")) {
                throw new IllegalArgumentException("--package must be a Java package name of two or more lower-case"
                        + " parts (e.g. org.example.mymodel), was '" + packageName + "'");
            }
            if (description.isBlank() || description.contains("\"") || description.contains("<")
                    || description.contains("\\") || description.contains("\n")) {
                throw new IllegalArgumentException("--description must be one line without quotes, '<' or backslashes");
            }
        }

        String className() {
            StringBuilder sb = new StringBuilder();
            for (String part : name.split("-")) {
                if (!part.isEmpty()) {
                    sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
                }
            }
            String c = sb.toString();
            return Character.isDigit(c.charAt(0)) ? "M" + c : c;
        }
    }

    private NewPlugin() {
    }

    /** The verb: parses its arguments, writes the project, says how to build and load it. Returns the exit status. */
    public static int run(List<String> args, Path home, PrintStream out) throws IOException {
        List<String> rest = new ArrayList<>(args);
        String name = null;
        Path dir = null;
        String pkg = null;
        String description = null;
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            if (!a.startsWith("--")) {
                if (name != null) {
                    throw new IllegalArgumentException("new-plugin takes one NAME; got '" + name + "' and '" + a + "'");
                }
                name = a;
                continue;
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("new-plugin: " + a + " needs a value");
            }
            String v = rest.remove(0);
            switch (a) {
                case "--dir" -> dir = Path.of(v);
                case "--package" -> pkg = v;
                case "--description" -> description = v;
                default -> throw new IllegalArgumentException("new-plugin: unknown option " + a
                        + " (known: --dir, --package, --description)");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("usage: new-plugin NAME [--dir DIR] [--package P] [--description TEXT]");
        }
        Options options = new Options(name, dir == null ? Path.of(name) : dir,
                pkg == null ? "org.example." + name.replace("-", "") : pkg,
                description == null ? "A diagonal Gaussian (each coordinate independent), fitted in closed form" : description,
                genbenchVersion(home));
        Path written = generate(options);
        String jar = "target/" + name + "-0.1.0.jar";
        out.println("created " + written + " (a model family '" + name + "', package " + options.packageName() + ")");
        out.println("  build:  cd " + written + " && mvn package        # -> " + jar);
        out.println("  load:   cp " + written.resolve(jar) + " " + home.resolve("workspace/plugins") + "/");
        out.println("  use:    bin/genbench run " + written.resolve("experiment.json"));
        return 0;
    }

    /** Writes the project into {@code options.dir()}, which must not exist or be empty. Returns its absolute path. */
    public static Path generate(Options options) throws IOException {
        Path dir = options.dir().toAbsolutePath().normalize();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    throw new IOException(dir + " exists and is not empty; choose another --dir");
                }
            }
        } else if (Files.exists(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("@@NAME@@", options.name());
        values.put("@@ARTIFACT@@", options.name());
        values.put("@@GROUP@@", options.packageName());
        values.put("@@PACKAGE_PATH@@", options.packageName().replace('.', '/'));
        values.put("@@PACKAGE@@", options.packageName());
        values.put("@@CLASS@@", options.className());
        values.put("@@DESCRIPTION@@", options.description());
        values.put("@@GENBENCH_VERSION@@", options.genbenchVersion());
        for (Map.Entry<String, String> f : FILES.entrySet()) {
            String text;
            try (InputStream in = NewPlugin.class.getResourceAsStream("/plugin-template/" + f.getKey())) {
                if (in == null) {
                    throw new IOException("the launcher lacks its plug-in template " + f.getKey() + "; rebuild genbench");
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path target = dir.resolve(substitute(f.getValue(), values));
            Files.createDirectories(target.getParent());
            Files.writeString(target, substitute(text, values));
        }
        return dir;
    }

    static String substitute(String text, Map<String, String> values) {
        String out = text;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        if (out.contains("@@")) {
            throw new IllegalStateException("a template placeholder was left unreplaced: "
                    + out.substring(out.indexOf("@@"), Math.min(out.length(), out.indexOf("@@") + 30)));
        }
        return out;
    }

    /**
     * The version of the api this checkout built (and installed into the local Maven repository): read from the
     * api bundle in the bundle repository, so the generated project builds against exactly that api.
     */
    static String genbenchVersion(Path home) throws IOException {
        Path repo = home.resolve("features/target/bundles");
        if (Files.isDirectory(repo)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(repo, "api-*.jar")) {
                for (Path jar : jars) {
                    try (JarFile f = new JarFile(jar.toFile())) {
                        ZipEntry e = f.getEntry("META-INF/maven/org.genbench/api/pom.properties");
                        if (e != null) {
                            Properties p = new Properties();
                            try (InputStream in = f.getInputStream(e)) {
                                p.load(in);
                            }
                            return p.getProperty("version");
                        }
                    }
                }
            }
        }
        throw new IOException("no api bundle in " + repo + ": build genbench first (bin/genbench does, or `mvn install`),"
                + " which also installs org.genbench:api into the local Maven repository the plug-in builds against");
    }
}
