package org.genbench.dataio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where a file named in a spec is, and its checksum. A relative path is resolved against the workspace (the
 * framework property {@value #WORKSPACE_PROPERTY}, which the launcher sets; the working directory elsewhere), an
 * absolute one is taken as it is.
 */
public final class DataFiles {
    public static final String WORKSPACE_PROPERTY = "genbench.workspace";

    private DataFiles() {
    }

    /** The workspace from the framework property's value, or the working directory when it is null. */
    public static Path workspace(String property) {
        return (property == null || property.isBlank() ? Path.of("") : Path.of(property)).toAbsolutePath().normalize();
    }

    /** {@code value} resolved against {@code workspace} unless it is absolute. */
    public static Path resolve(Path workspace, String value) {
        Path p = Path.of(value);
        return (p.isAbsolute() ? p : workspace.resolve(p)).toAbsolutePath().normalize();
    }

    /** The regular file setting {@code field} names; fails naming the field and the resolved path. */
    public static Path requireFile(Path workspace, String field, String value) throws DataFileException {
        Path file = resolve(workspace, value);
        if (Files.isDirectory(file)) {
            throw new DataFileException("field '" + field + "': " + file + " is a folder, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new DataFileException("field '" + field + "': no such file: " + file + where(workspace, value));
        }
        if (!Files.isReadable(file)) {
            throw new DataFileException("field '" + field + "': " + file + " is not readable");
        }
        return file;
    }

    /** The folder setting {@code field} names; fails naming the field and the resolved path. */
    public static Path requireDirectory(Path workspace, String field, String value) throws DataFileException {
        Path dir = resolve(workspace, value);
        if (Files.isRegularFile(dir)) {
            throw new DataFileException("field '" + field + "': " + dir + " is a file, not a folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new DataFileException("field '" + field + "': no such folder: " + dir + where(workspace, value));
        }
        return dir;
    }

    private static String where(Path workspace, String value) {
        return Path.of(value).isAbsolute() ? "" : " (a relative path is resolved against the workspace " + workspace + ")";
    }

    /** The sha256 of a file's bytes, as {@code sha256sum} prints it. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                digest.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * One checksum for several files: the sha256 of the lines {@code "<sha256>  <name>\n"} in the map's order, which
     * is what {@code sha256sum NAME... | sha256sum} prints when the names are the files' paths as given.
     */
    public static String sha256(Map<String, Path> files) throws IOException {
        StringBuilder listing = new StringBuilder();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            listing.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        }
        return HexFormat.of().formatHex(sha256().digest(listing.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
