package org.genbench.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Computes {@code org.osgi.framework.system.packages.extra} from the jars on the host class path, so bundles can
 * import ND4J, DL4J, Arrow, Jackson and SLF4J packages without anyone typing the list. A jar that declares
 * {@code Export-Package} is taken at its word (with its versions); any other jar exports every package that
 * holds a class, at the jar's version.
 */
final class SystemPackages {
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(.*)");

    private SystemPackages() {
    }

    /** Package name to OSGi version, for every jar in {@code jars}. */
    static Map<String, String> compute(List<Path> jars) throws IOException {
        Map<String, String> packages = new TreeMap<>();
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            if (!name.endsWith(".jar") || name.startsWith("org.apache.felix.framework")) {
                continue; // the framework exports its own packages
            }
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                String exports = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
                if (exports != null && !exports.isBlank()) {
                    for (Map.Entry<String, String> e : parseExports(exports).entrySet()) {
                        packages.putIfAbsent(e.getKey(), e.getValue());
                    }
                } else {
                    String version = osgiVersion(jarVersion(name, manifest));
                    Enumeration<JarEntry> entries = file.entries();
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        int slash = entry.lastIndexOf('/');
                        if (entry.endsWith(".class") && slash > 0 && !entry.startsWith("META-INF/")) {
                            packages.putIfAbsent(entry.substring(0, slash).replace('/', '.'), version);
                        }
                    }
                }
            }
        }
        packages.keySet().removeIf(p -> p.startsWith("java.") || p.startsWith("org.osgi.") || p.equals("")
                || p.startsWith("org.genbench.launcher"));
        return packages;
    }

    static String header(Map<String, String> packages) {
        return packages.entrySet().stream().map(e -> e.getKey() + ";version=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(","));
    }

    /** The packages and versions of an {@code Export-Package} header. */
    static Map<String, String> parseExports(String header) {
        Map<String, String> out = new TreeMap<>();
        for (String clause : splitOutsideQuotes(header, ',')) {
            List<String> parts = splitOutsideQuotes(clause, ';');
            List<String> names = new ArrayList<>();
            String version = "0.0.0";
            for (String part : parts) {
                String p = part.trim();
                if (p.startsWith("version=")) {
                    version = p.substring("version=".length()).replace("\"", "").trim();
                } else if (!p.contains("=") && !p.isEmpty()) {
                    names.add(p);
                }
            }
            for (String n : names) {
                // A jar may export one package at two versions (slf4j-api 2 also as 1.7.36 for old importers):
                // the system bundle exports the newest, which is what the jar's own code is.
                out.merge(n, version, SystemPackages::newer);
            }
        }
        return out;
    }

    static String newer(String a, String b) {
        try {
            return org.osgi.framework.Version.parseVersion(a).compareTo(org.osgi.framework.Version.parseVersion(b)) >= 0 ? a : b;
        } catch (IllegalArgumentException e) {
            return a;
        }
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** The version in a Maven file name ({@code nd4j-api-1.0.0-M2.1.jar}) or the manifest. */
    static String jarVersion(String fileName, Manifest manifest) {
        Matcher m = Pattern.compile("-(\\d+(?:\\.\\d+)*(?:[-.][A-Za-z0-9.]+)*?)(?:-[a-z]+-x86_64)?\\.jar$").matcher(fileName);
        if (m.find()) {
            return m.group(1);
        }
        String v = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
        return v == null ? "0.0.0" : v;
    }

    /** {@code 1.0.0-M2.1} becomes {@code 1.0.0.M2_1}: a valid OSGi version that sorts like the Maven one. */
    static String osgiVersion(String v) {
        Matcher m = VERSION.matcher(v.trim());
        if (!m.matches()) {
            return "0.0.0";
        }
        String qualifier = m.group(4).replaceFirst("^[.-]", "").replaceAll("[^A-Za-z0-9_-]", "_");
        return m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3))
                + (qualifier.isEmpty() ? "" : "." + qualifier);
    }
}
